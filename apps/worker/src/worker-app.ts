import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppLogger } from '@credit-ledger/logging';
import { WorkerAppOptions, WorkerModule } from './worker.module';
import { WorkerService } from './worker.service';

/**
 * Starts the worker process. With WORKER_PORT set it also serves its probes and metrics over HTTP (queue depth and
 * the jobs API stay on the ledger); without, it is an application context with no HTTP at all.
 */
export async function startWorkerApp(
  opts: WorkerAppOptions & { host?: string },
): Promise<{ app: INestApplicationContext; worker: WorkerService; url: string | null }> {
  const port = opts.config.workerPort;
  const module = WorkerModule.forRoot(opts);
  const options = { bufferLogs: true, abortOnError: false };
  const app =
    port === null
      ? await NestFactory.createApplicationContext(module, options)
      : await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), options);
  app.useLogger(app.get(AppLogger));
  // SIGTERM/SIGINT close the BullMQ worker gracefully: active jobs finish, nothing new is taken.
  app.enableShutdownHooks();
  let url: string | null = null;
  if (port === null) await app.init();
  else {
    const http = app as NestFastifyApplication;
    await http.listen(port, opts.host ?? '0.0.0.0');
    const address = http.getHttpServer().address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  }
  return { app, worker: app.get(WorkerService), url };
}
