import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { AppLogger, loggerParams } from '@credit-ledger/logging';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@credit-ledger/config';
import { PolicyStore, createLedgerDataSource } from '@credit-ledger/ledger-store';
import { AuditQueries, Clock, PositionCache, PositionQueries } from '@credit-ledger/projections';
import { AuditController, PolicyController } from './audit/audit.controller';
import { ApiValidationPipe } from './api/validation.pipe';
import { AUDIT_QUERY_HANDLERS } from './audit/queries';
import { ApiKeyGuard } from './auth/api-key.guard';
import { CONTROL_CONTROLLERS, CONTROL_PROVIDERS } from './control';
import { CustomersController } from './customers/customers.controller';
import { PositionCacheOverrides, positionCacheProviders } from './customers/position-cache.providers';
import { GetCreditFileHandler, GetCustomerPositionHandler, ListCustomersHandler } from './customers/queries';
import { HealthController } from './health/health.controller';
import { DependencyIndicators } from './health/indicators';
import { JsonErrorFilter } from './http-exception.filter';
import { JobsController } from './jobs/jobs.controller';
import { LedgerJobs } from './jobs/ledger-jobs.service';
import { IdleCompaction } from './metrics/idle-compaction';
import { LedgerMetrics } from './metrics/ledger-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { IngestHooks, IngestionService } from './ingestion.service';
import { personalDataProviders } from './personal-data/personal-data.providers';
import { PersonalDataInterceptor } from './personal-data/personal-data.interceptor';
import { PersonalDataController } from './personal-data/personal-data.controller';
import { FORGET_COMMAND_HANDLERS } from './personal-data/forget.commands';
import type { MasterKeyring } from '@credit-ledger/personal-data';
import { APP_CONFIG, CLOCK, INGEST_HOOKS, LEDGER_DATA_SOURCE } from './tokens';

export interface LedgerAppOptions {
  config: AppConfig;
  clock?: Clock;
  hooks?: IngestHooks;
  positionCache?: PositionCacheOverrides;
  /** Master keys of personal data; from PERSONAL_DATA_MASTER_KEY[_FILE] (or a development key) when absent. */
  keyring?: MasterKeyring;
}

/** The ledger process: Kafka ingestion, the projection (inline with each append) and the query API. */
@Module({})
export class LedgerModule {
  static forRoot(opts: LedgerAppOptions): DynamicModule {
    return {
      module: LedgerModule,
      imports: [
        CqrsModule.forRoot(),
        LoggerModule.forRoot(loggerParams(opts.config)),
        // Terminus logs nothing itself: a failing probe is an answer; the causes are logged where they happen.
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [
        CustomersController,
        AuditController,
        PolicyController,
        HealthController,
        MetricsController,
        JobsController,
        ...CONTROL_CONTROLLERS,
        PersonalDataController,
      ],
      providers: [
        AppLogger,
        { provide: APP_CONFIG, useValue: opts.config },
        { provide: CLOCK, useValue: opts.clock ?? (() => new Date()) },
        { provide: INGEST_HOOKS, useValue: opts.hooks ?? {} },
        {
          provide: LEDGER_DATA_SOURCE,
          useFactory: async (config: AppConfig) =>
            createLedgerDataSource(config.databaseUrl, { security: config.databaseSecurity }).initialize(),
          inject: [APP_CONFIG],
        },
        {
          provide: PolicyStore,
          useFactory: async (ds: DataSource) => {
            const store = new PolicyStore(ds);
            await store.load();
            return store;
          },
          inject: [LEDGER_DATA_SOURCE],
        },
        ...personalDataProviders(opts.keyring),
        // The PositionCache, and the LedgerWriter that invalidates it after each of its own appends.
        ...positionCacheProviders(opts.positionCache),
        {
          provide: PositionQueries,
          useFactory: (ds: DataSource, policies: PolicyStore, clock: Clock, cache: PositionCache) =>
            new PositionQueries(ds, policies, clock, cache.enabled ? cache : null),
          inject: [LEDGER_DATA_SOURCE, PolicyStore, CLOCK, PositionCache],
        },
        {
          provide: AuditQueries,
          useFactory: (ds: DataSource, policies: PolicyStore) => new AuditQueries(ds, policies),
          inject: [LEDGER_DATA_SOURCE, PolicyStore],
        },
        ...AUDIT_QUERY_HANDLERS,
        ...CONTROL_PROVIDERS,
        ...FORGET_COMMAND_HANDLERS,
        IngestionService,
        LedgerJobs,
        LedgerMetrics,
        IdleCompaction,
        DependencyIndicators,
        GetCustomerPositionHandler,
        GetCreditFileHandler,
        ListCustomersHandler,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: JsonErrorFilter },
        { provide: APP_PIPE, useClass: ApiValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: PersonalDataInterceptor },
      ],
    };
  }
}
