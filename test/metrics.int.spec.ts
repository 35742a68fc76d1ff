import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { KEYS, LedgerHarness } from './support/ledger-harness';
import { wire } from './support/wire';

/** Every series of the earlier hand-written /metrics, by name and type: dashboards keep working. */
const EARLIER: Record<string, PromFamily['type']> = {
  credit_ledger_messages_total: 'COUNTER',
  credit_ledger_events_appended_total: 'COUNTER',
  credit_ledger_events_duplicate_total: 'COUNTER',
  credit_ledger_events_rejected_total: 'COUNTER',
  credit_ledger_events_parked_total: 'COUNTER',
  credit_ledger_ingest_batches_total: 'COUNTER',
  credit_ledger_poison_isolations_total: 'COUNTER',
  credit_ledger_append_retries_total: 'COUNTER',
  credit_ledger_consumer_crashes_total: 'COUNTER',
  credit_ledger_consumer_restarts_total: 'COUNTER',
  credit_ledger_consumer_running: 'GAUGE',
  credit_ledger_kafka_reachable: 'GAUGE',
  credit_ledger_ingest_lag_total: 'GAUGE',
  credit_ledger_ingest_lag: 'GAUGE',
  credit_ledger_ingest_last_batch_ms: 'GAUGE',
  credit_ledger_last_sequence: 'GAUGE',
  credit_ledger_position_cache_entries: 'GAUGE',
  credit_ledger_position_cache_hits_total: 'COUNTER',
  credit_ledger_position_cache_misses_total: 'COUNTER',
  credit_ledger_position_cache_invalidations_total: 'COUNTER',
  credit_ledger_position_cache_evictions_total: 'COUNTER',
  process_resident_memory_bytes: 'GAUGE',
  nodejs_heap_used_bytes: 'GAUGE',
};

/**
 * /metrics scraped from a ledger that ingested events (one of them not JSON) and answered API calls, parsed with a
 * Prometheus text-format parser: the earlier series with their values, Node process metrics, and histograms of
 * append latency, batch size and API latency per route.
 */
describe('metrics', () => {
  let h: LedgerHarness;
  let families: Map<string, PromFamily>;
  let text = '';

  /**
   * The samples of one series name (e.g. a histogram's `_count`), labels kept: the parser folds a labelled
   * histogram's series into one, so its count lines are parsed again on their own.
   */
  const series = (name: string): Array<{ labels: Record<string, string>; value: number }> => {
    const lines = text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
    const [family] = parsePrometheusTextFormat(`# TYPE ${name} untyped\n${lines.join('\n')}\n`);
    return family.metrics.map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) }));
  };
  const count = (histogram: string, labels: Record<string, string>): number =>
    series(`${histogram}_count`)
      .filter((m) => Object.entries(labels).every(([k, v]) => m.labels[k] === v))
      .reduce((n, m) => n + m.value, 0);

  const value = (name: string, labels: Record<string, string> = {}): number => {
    const sample = families
      .get(name)
      ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
    if (!sample) throw new Error(`no sample of ${name} ${JSON.stringify(labels)}`);
    return Number(sample.value);
  };

  beforeAll(async () => {
    h = await LedgerHarness.start({ env: { KAFKA_HEALTH_INTERVAL_MS: '100' } });
    await h.publish([
      wire('M-1', 'CustomerOnboarded', '2026-01-02T09:00:00Z', {
        name: 'M',
        currency: 'EUR',
        creditLimit: '10.00',
      }),
      wire('M-1', 'OrderPlaced', '2026-01-03T09:00:00Z', { orderId: 'O-M', amount: '5.00', currency: 'EUR' }),
    ]);
    await h.publishRaw([{ key: 'M-2', value: 'not json' }]);
    await h.waitForIngestion();
    // Reads of the same customer: the first loads it; a later one hits the cache once the notification of the
    // last append (sent after its commit) has been seen, so read a few times, spaced.
    for (let i = 0; i < 5; i++) {
      expect((await h.get('/customers/M-1')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await h.get('/customers/NOPE')).status).toBe(404);
    expect(
      (await h.send('POST', '/customers/M-1/blacklist', { reason: 'metrics' }, KEYS.finance)).status,
    ).toBe(200);
    // The lag monitor has looked at least once since everything was consumed.
    const checked = h.ingestion.monitor!.snapshot().checkedAt;
    await new Promise((r) => setTimeout(r, 300));
    expect(h.ingestion.monitor!.snapshot().checkedAt).not.toBe(checked);
    const scrape = await h.send('GET', '/metrics', undefined, KEYS.reader);
    expect(scrape.status).toBe(200);
    expect(scrape.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    text = scrape.text;
    families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('keeps every earlier series, with the consumer, Kafka and cache figures', () => {
    const missing = Object.entries(EARLIER).filter(([name, type]) => families.get(name)?.type !== type);
    expect(missing).toEqual([]);
    expect(value('credit_ledger_messages_total')).toBe(3);
    expect(value('credit_ledger_events_appended_total')).toBe(2);
    expect(value('credit_ledger_events_rejected_total')).toBe(1);
    expect(value('credit_ledger_consumer_running')).toBe(1);
    expect(value('credit_ledger_kafka_reachable')).toBe(1);
    expect(value('credit_ledger_ingest_lag_total')).toBe(0);
    expect(
      families
        .get('credit_ledger_ingest_lag')!
        .metrics.map((m) => m.labels?.partition)
        .sort(),
    ).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(value('credit_ledger_position_cache_hits_total')).toBeGreaterThanOrEqual(1);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('has Node process metrics from prom-client', () => {
    for (const name of [
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ])
      expect(families.has(name)).toBe(true);
  });

  it('has histograms of append latency and batch size, and of API latency per route', () => {
    const append = families.get('credit_ledger_append_duration_seconds')!;
    expect(append.type).toBe('HISTOGRAM');
    expect(count('credit_ledger_append_duration_seconds', { kind: 'ingest' })).toBeGreaterThanOrEqual(1);
    expect(count('credit_ledger_append_duration_seconds', { kind: 'control' })).toBe(1);
    const batch = families.get('credit_ledger_append_batch_events')!;
    expect(batch.type).toBe('HISTOGRAM');
    // Every message went through an ingestion append: the sizes add up to the messages.
    expect(Number(batch.metrics[0].sum)).toBe(3);
    expect(families.get('credit_ledger_http_request_duration_seconds')!.type).toBe('HISTOGRAM');
    const api = 'credit_ledger_http_request_duration_seconds';
    expect(count(api, { method: 'GET', route: '/customers/:id', status_code: '200' })).toBe(5);
    expect(count(api, { method: 'GET', route: '/customers/:id', status_code: '404' })).toBe(1);
    expect(count(api, { method: 'POST', route: '/customers/:id/blacklist', status_code: '200' })).toBe(1);
  });
});
