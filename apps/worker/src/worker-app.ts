import 'reflect-metadata';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, ConnectionCheck, checkConnections, postgresClientConfig } from '@credit-ledger/config';
import { redisStartupCheck } from '@credit-ledger/jobs';
import { checkPostgres } from '@credit-ledger/ledger-store';
import { AppLogger } from '@credit-ledger/logging';
import { checkKafka } from '@credit-ledger/messaging';
import { WorkerAppOptions, WorkerModule } from './worker.module';
import { WorkerService } from './worker.service';

/** What the worker connects to, checked before anything is built: PostgreSQL, Redis, Kafka for the relay. */
function connectionChecks(config: AppConfig, relay: boolean): ConnectionCheck[] {
  const kafka = {
    brokers: config.kafkaBrokers,
    clientId: `${config.kafkaClientId}-alerts`,
    security: config.kafkaSecurity,
  };
  return [
    () => checkPostgres(postgresClientConfig(config.databaseUrl, config.databaseSecurity)),
    redisStartupCheck(config, 'the worker waits for it'),
    ...(relay ? [() => checkKafka(kafka)] : []),
  ];
}

/**
 * Starts the worker process (a refused credential or certificate of any connection fails it before anything is
 * built, each refusal named). With WORKER_PORT set it also serves its probes and metrics over HTTP (queue depth and
 * the jobs API stay on the ledger); without, it is an application context with no HTTP at all.
 */
export async function startWorkerApp(
  opts: WorkerAppOptions & { host?: string },
): Promise<{ app: INestApplicationContext; worker: WorkerService; url: string | null }> {
  const warnings = await checkConnections(connectionChecks(opts.config, opts.run?.relay !== false));
  const port = opts.config.workerPort;
  const module = WorkerModule.forRoot(opts);
  const options = { bufferLogs: true, abortOnError: false };
  const app =
    port === null
      ? await NestFactory.createApplicationContext(module, options)
      : await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), options);
  app.useLogger(app.get(AppLogger));
  // SIGTERM/SIGINT close the BullMQ worker gracefully: active jobs finish, nothing new is taken.
  for (const warning of warnings) new Logger('Connections').warn(warning);
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
