import 'reflect-metadata';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  AppConfig,
  ConnectionCheck,
  checkConnections,
  nestLogLevels,
  postgresClientConfig,
} from '@credit-ledger/config';
import { redisStartupCheck } from '@credit-ledger/jobs';
import { checkPostgres } from '@credit-ledger/ledger-store';
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
 * Starts the worker process (no HTTP: queue depth is on the ledger's /health and GET /jobs). A refused
 * credential or certificate of any connection fails it before anything is built, each refusal named.
 */
export async function startWorkerApp(
  opts: WorkerAppOptions,
): Promise<{ app: INestApplicationContext; worker: WorkerService }> {
  const warnings = await checkConnections(connectionChecks(opts.config, opts.run?.relay !== false));
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(opts), {
    logger: nestLogLevels(opts.config.logLevel),
    abortOnError: false,
  });
  // SIGTERM/SIGINT close the BullMQ worker gracefully: active jobs finish, nothing new is taken.
  for (const warning of warnings) new Logger('Connections').warn(warning);
  app.enableShutdownHooks();
  await app.init();
  return { app, worker: app.get(WorkerService) };
}
