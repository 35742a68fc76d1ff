import 'reflect-metadata';
import { INestApplication, Logger } from '@nestjs/common';
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
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { LedgerAppOptions, LedgerModule } from './ledger.module';

/**
 * What the ledger connects to, checked before anything is built: PostgreSQL, Kafka when it consumes, and Redis
 * (only for the jobs routes, so an unreachable Redis is a warning; a refused credential is not).
 */
function connectionChecks(config: AppConfig, consume: boolean): ConnectionCheck[] {
  const kafka = {
    brokers: config.kafkaBrokers,
    clientId: config.kafkaClientId,
    security: config.kafkaSecurity,
  };
  return [
    () => checkPostgres(postgresClientConfig(config.databaseUrl, config.databaseSecurity)),
    ...(consume ? [() => checkKafka(kafka)] : []),
    redisStartupCheck(config, 'GET /jobs and POST /jobs/:name/run wait for it'),
  ];
}

/**
 * Builds and starts the ledger process; returns the app and the address it listens on. A refused credential
 * or certificate of any connection fails it before anything is built, each refusal named (checkConnections).
 */
export async function startLedgerApp(
  opts: LedgerAppOptions & { host?: string },
): Promise<{ app: INestApplication; url: string }> {
  const warnings = await checkConnections(connectionChecks(opts.config, opts.hooks?.consume !== false));
  const app = await NestFactory.create<NestFastifyApplication>(
    LedgerModule.forRoot(opts),
    new FastifyAdapter({ bodyLimit: 256 * 1024 }),
    { logger: nestLogLevels(opts.config.logLevel), abortOnError: false },
  );
  for (const warning of warnings) new Logger('Connections').warn(warning);
  app.enableShutdownHooks();
  refuseNonJsonBodies(app);
  await app.listen(opts.config.port, opts.host ?? '0.0.0.0');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : opts.config.port;
  return { app, url: `http://127.0.0.1:${port}` };
}

/**
 * The API takes JSON bodies only: a body of any other type (a form, text) is 415 before it is parsed, so no field
 * can arrive through a parser the validation does not expect. Requests without a body are not affected.
 */
function refuseNonJsonBodies(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (req, reply) => {
      const length = req.headers['content-length'];
      const hasBody =
        (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
      if (!hasBody) return;
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return;
      await reply.code(415).send({
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: `request bodies must be JSON (Content-Type: application/json), got ${type ? JSON.stringify(type) : 'no Content-Type'}`,
      });
    });
}
