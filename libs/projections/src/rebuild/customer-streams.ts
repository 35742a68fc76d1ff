import type { LedgerReader, StoredEvent } from '@credit-ledger/ledger-store';

export interface CustomerStream {
  customerId: string;
  events: StoredEvent[];
}

/**
 * Each customer's whole stream, in (customer, stream version) order, read in pages: only the current customer is
 * held in memory, however large the ledger. `untilSequence` cuts every stream at a snapshot of the ledger head.
 */
export async function* customerStreams(
  reader: LedgerReader,
  opts: { customerId?: string; untilSequence?: string; pageSize?: number } = {},
): AsyncGenerator<CustomerStream> {
  const pageSize = opts.pageSize ?? 5000;
  let after: { customerId: string; streamVersion: number } | null = null;
  let current: CustomerStream | null = null;
  for (;;) {
    const page = await reader.pageByCustomer(after, pageSize, opts);
    for (const e of page) {
      const id = e.event.customerId;
      if (current && current.customerId !== id) {
        yield current;
        current = null;
      }
      current ??= { customerId: id, events: [] };
      current.events.push(e);
    }
    if (page.length < pageSize) break;
    const last = page[page.length - 1];
    after = { customerId: last.event.customerId, streamVersion: last.streamVersion };
  }
  if (current) yield current;
}
