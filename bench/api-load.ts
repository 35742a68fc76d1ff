import autocannon from 'autocannon';
import { Client } from 'pg';
import { postgresClientConfig } from '@credit-ledger/config';

export interface ApiLoadResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  connections: number;
  seconds: number;
}

/**
 * `GET /customers/:id` with autocannon (in the bench process; the ledger is its own process): each request
 * asks for a customer drawn uniformly from every customer in `customer_positions`, with the reader API key.
 */
export async function runApiLoad(o: {
  apiUrl: string;
  databaseUrl: string;
  readerKey: string;
  connections: number;
  seconds: number;
}): Promise<ApiLoadResult> {
  const db = new Client(postgresClientConfig(o.databaseUrl));
  await db.connect();
  const ids = (await db.query('SELECT customer_id FROM customer_positions')).rows.map(
    (r: { customer_id: string }) => r.customer_id,
  );
  await db.end();
  if (ids.length === 0) throw new Error('no customers to query');
  let x = 0x2545f491;
  const next = (): string => {
    // xorshift32: deterministic and cheap, so the load generator spends its time on HTTP
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ids[(x >>> 0) % ids.length];
  };
  // Warm-up: JIT and connection pools, not measured.
  await autocannon({
    url: o.apiUrl,
    connections: o.connections,
    duration: 1,
    headers: { authorization: `Bearer ${o.readerKey}` },
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/customers/${next()}` }) }],
  });
  const r = await autocannon({
    url: o.apiUrl,
    connections: o.connections,
    duration: o.seconds,
    headers: { authorization: `Bearer ${o.readerKey}` },
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/customers/${next()}` }) }],
  });
  return {
    reqPerSec: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    connections: o.connections,
    seconds: o.seconds,
  };
}
