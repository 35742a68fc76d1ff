import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@credit-ledger/config';
import { JobsClient } from '@credit-ledger/jobs';
import { AppLogger, loggerParams } from '@credit-ledger/logging';
import { LedgerWriter, PolicyStore, createLedgerDataSource } from '@credit-ledger/ledger-store';
import { JOBS_CLIENT, WORKER_CONFIG, WORKER_DATA_SOURCE, WORKER_HOOKS } from './tokens';
import { WorkerMetrics } from './worker-metrics';
import { WorkerProbesController } from './worker-probes.controller';
import { WorkerRunOptions, WorkerService } from './worker.service';

export interface WorkerAppOptions {
  config: AppConfig;
  run?: WorkerRunOptions;
}

/** The worker process: the same LedgerWriter as the ledger (the only writer), driven by BullMQ jobs. */
@Module({})
export class WorkerModule {
  static forRoot(opts: WorkerAppOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [LoggerModule.forRoot(loggerParams(opts.config)), TerminusModule.forRoot({ logger: false })],
      // Served only when WORKER_PORT is set (see startWorkerApp).
      controllers: [WorkerProbesController],
      providers: [
        AppLogger,
        WorkerMetrics,
        { provide: WORKER_CONFIG, useValue: opts.config },
        { provide: WORKER_HOOKS, useValue: opts.run ?? {} },
        {
          provide: WORKER_DATA_SOURCE,
          useFactory: () =>
            createLedgerDataSource(opts.config.databaseUrl, {
              security: opts.config.databaseSecurity,
            }).initialize(),
        },
        {
          provide: PolicyStore,
          useFactory: async (ds: DataSource) => {
            const store = new PolicyStore(ds);
            await store.load();
            return store;
          },
          inject: [WORKER_DATA_SOURCE],
        },
        {
          provide: LedgerWriter,
          useFactory: (ds: DataSource, policies: PolicyStore) => new LedgerWriter(ds, policies),
          inject: [WORKER_DATA_SOURCE, PolicyStore],
        },
        {
          provide: JOBS_CLIENT,
          useFactory: () => JobsClient.fromConfig(opts.config),
        },
        WorkerService,
      ],
    };
  }
}
