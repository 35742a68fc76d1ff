import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  Provider,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@credit-ledger/config';
import {
  AppendResult,
  ControlAppendResult,
  ControlRule,
  InboundEvent,
  AppendOptions,
  LedgerWriter,
  type InboundSealer,
  type InTransaction,
  PolicyStore,
  Rejection,
} from '@credit-ledger/ledger-store';
import { PositionCache, PositionCacheOptions } from '@credit-ledger/projections';
import { PersonalDataSealer } from '@credit-ledger/personal-data';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { APP_CONFIG, LEDGER_DATA_SOURCE } from '../tokens';

/**
 * The process's only LedgerWriter, which also drops what it wrote from the position cache once committed: a
 * command (or a Kafka batch) that returned is visible to the next GET here, without waiting for the NOTIFY.
 */
export class CacheCoherentWriter extends LedgerWriter {
  constructor(
    ds: DataSource,
    policies: PolicyStore,
    private readonly cache: PositionCache,
    private readonly metrics: LedgerMetrics,
    sealer: InboundSealer,
    residentStateBytes?: number,
  ) {
    super(ds, policies, sealer, { residentStateBytes });
  }

  override async append(
    inbound: InboundEvent[],
    invalid: Rejection[] = [],
    opts: AppendOptions = {},
  ): Promise<AppendResult> {
    const done = this.metrics.appendSeconds.startTimer({ kind: 'ingest' });
    const r = await super.append(inbound, invalid, opts);
    done();
    if (inbound.length + invalid.length > 0)
      this.metrics.appendBatchEvents.observe(inbound.length + invalid.length);
    // Derived and unparked events belong to the streams of the inbound events (or of the one parked event
    // retried), so these are all it touched.
    if (r.lastSequence !== '0') {
      const touched = new Set(inbound.map((i) => i.event.customerId));
      if (typeof opts.retryParked === 'object') touched.add(opts.retryParked.customerId);
      this.cache.invalidate(touched);
    }
    return r;
  }

  override async appendControl(
    customerIds: string[],
    rule: ControlRule,
    alsoInTransaction?: InTransaction,
  ): Promise<ControlAppendResult> {
    const done = this.metrics.appendSeconds.startTimer({ kind: 'control' });
    const r = await super.appendControl(customerIds, rule, alsoInTransaction);
    done();
    this.cache.invalidate(new Set(r.events.map((e) => e.event.customerId)));
    return r;
  }
}

/** Starts the cache's LISTEN and poll with the app, and stops them before the pool closes. */
@Injectable()
export class PositionCacheLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(PositionCache) private readonly cache: PositionCache) {}

  onApplicationBootstrap(): Promise<void> {
    return this.cache.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.cache.stop();
  }
}

/** Tuning beyond POSITION_CACHE_ENTRIES, for tests (e.g. no LISTEN and no poll: only local invalidation). */
export type PositionCacheOverrides = Partial<Omit<PositionCacheOptions, 'log'>>;

export function positionCacheProviders(overrides: PositionCacheOverrides = {}): Provider[] {
  return [
    {
      provide: PositionCache,
      useFactory: (config: AppConfig, ds: DataSource) => {
        const logger = new Logger('PositionCache');
        return new PositionCache(ds, {
          maxEntries: config.positionCacheEntries,
          log: (level, message) => logger[level === 'info' ? 'log' : level](message),
          ...overrides,
        });
      },
      inject: [APP_CONFIG, LEDGER_DATA_SOURCE],
    },
    {
      provide: LedgerWriter,
      useFactory: (
        ds: DataSource,
        policies: PolicyStore,
        cache: PositionCache,
        metrics: LedgerMetrics,
        sealer: PersonalDataSealer,
        config: AppConfig,
      ) =>
        new CacheCoherentWriter(ds, policies, cache, metrics, sealer, config.residentStateMb * 1024 * 1024),
      inject: [LEDGER_DATA_SOURCE, PolicyStore, PositionCache, LedgerMetrics, PersonalDataSealer, APP_CONFIG],
    },
    PositionCacheLifecycle,
  ];
}
