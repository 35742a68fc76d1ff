import type { CustomerRange, LedgerReader, StoredEvent } from '@credit-ledger/ledger-store';

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
  opts: { customerId?: string; untilSequence?: string; pageSize?: number; range?: CustomerRange } = {},
): AsyncGenerator<CustomerStream> {
  const pageSize = opts.pageSize ?? 5000;
  let current: CustomerStream | null = null;
  // The next page is read while the caller folds this one (keyset: its start is this page's last row).
  let next: Promise<StoredEvent[]> | null = reader.pageByCustomer(null, pageSize, opts);
  while (next) {
    const page: StoredEvent[] = await next;
    next = null;
    if (page.length === pageSize) {
      const last = page[page.length - 1];
      next = reader.pageByCustomer(
        { customerId: last.event.customerId, streamVersion: last.streamVersion },
        pageSize,
        opts,
      );
      // Not awaited until the next round; a failure surfaces there, never as an unhandled rejection.
      next.catch(() => undefined);
    }
    for (const e of page) {
      const id = e.event.customerId;
      if (current && current.customerId !== id) {
        yield current;
        current = null;
      }
      current ??= { customerId: id, events: [] };
      current.events.push(e);
    }
  }
  if (current) yield current;
}
