import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@credit-ledger/config';
import { LedgerWriter, PolicyStore, createLedgerDataSource } from '@credit-ledger/ledger-store';
import { Clock, PositionQueries } from '@credit-ledger/projections';
import { ApiKeyGuard } from './auth/api-key.guard';
import { CustomersController } from './customers/customers.controller';
import { GetCustomerPositionHandler, ListCustomersHandler } from './customers/queries';
import { HealthController } from './health/health.controller';
import { JsonErrorFilter } from './http-exception.filter';
import { IngestHooks, IngestionService } from './ingestion.service';
import { APP_CONFIG, CLOCK, INGEST_HOOKS, LEDGER_DATA_SOURCE } from './tokens';

export interface LedgerAppOptions {
  config: AppConfig;
  clock?: Clock;
  hooks?: IngestHooks;
}

/** The ledger process: Kafka ingestion, the projection (inline with each append) and the query API. */
@Module({})
export class LedgerModule {
  static forRoot(opts: LedgerAppOptions): DynamicModule {
    return {
      module: LedgerModule,
      imports: [CqrsModule.forRoot()],
      controllers: [CustomersController, HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: opts.config },
        { provide: CLOCK, useValue: opts.clock ?? (() => new Date()) },
        { provide: INGEST_HOOKS, useValue: opts.hooks ?? {} },
        {
          provide: LEDGER_DATA_SOURCE,
          useFactory: async (config: AppConfig) => createLedgerDataSource(config.databaseUrl).initialize(),
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
        {
          provide: LedgerWriter,
          useFactory: (ds: DataSource, policies: PolicyStore) => new LedgerWriter(ds, policies),
          inject: [LEDGER_DATA_SOURCE, PolicyStore],
        },
        {
          provide: PositionQueries,
          useFactory: (ds: DataSource, policies: PolicyStore, clock: Clock) =>
            new PositionQueries(ds, policies, clock),
          inject: [LEDGER_DATA_SOURCE, PolicyStore, CLOCK],
        },
        IngestionService,
        GetCustomerPositionHandler,
        ListCustomersHandler,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: JsonErrorFilter },
      ],
    };
  }
}
