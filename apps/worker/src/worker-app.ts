import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppLogger } from '@credit-ledger/logging';
import { WorkerAppOptions, WorkerModule } from './worker.module';
import { WorkerService } from './worker.service';

/** Starts the worker process (no HTTP: queue depth is on the ledger's /health and GET /jobs). */
export async function startWorkerApp(
  opts: WorkerAppOptions,
): Promise<{ app: INestApplicationContext; worker: WorkerService }> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(opts), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(AppLogger));
  // SIGTERM/SIGINT close the BullMQ worker gracefully: active jobs finish, nothing new is taken.
  app.enableShutdownHooks();
  await app.init();
  return { app, worker: app.get(WorkerService) };
}
