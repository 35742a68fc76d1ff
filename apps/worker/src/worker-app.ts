import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { nestLogLevels } from '@credit-ledger/config';
import { WorkerAppOptions, WorkerModule } from './worker.module';
import { WorkerService } from './worker.service';

/** Starts the worker process (no HTTP: queue depth is on the ledger's /health and GET /jobs). */
export async function startWorkerApp(
  opts: WorkerAppOptions,
): Promise<{ app: INestApplicationContext; worker: WorkerService }> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(opts), {
    logger: nestLogLevels(opts.config.logLevel),
    abortOnError: false,
  });
  // SIGTERM/SIGINT close the BullMQ worker gracefully: active jobs finish, nothing new is taken.
  app.enableShutdownHooks();
  await app.init();
  return { app, worker: app.get(WorkerService) };
}
