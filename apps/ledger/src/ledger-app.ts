import 'reflect-metadata';
import { INestApplication, Logger } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConnectionCheck, checkConnections, postgresClientConfig } from '@credit-ledger/config';
import { redisStartupCheck } from '@credit-ledger/jobs';
import { checkPostgres } from '@credit-ledger/ledger-store';
import { AppLogger, requestId } from '@credit-ledger/logging';
import { checkKafka } from '@credit-ledger/messaging';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { OpenApiDocument } from './docs/docs.controller';
import { buildOpenApiDocument } from './docs/openapi';
import { LedgerAppOptions, LedgerModule } from './ledger.module';
import { LedgerMetrics } from './metrics/ledger-metrics';
import { registerWorkspace } from './workspace/workspace';

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
    // Each request's id (the caller's x-request-id when it is a plain token) is on its log lines and its answer.
    new FastifyAdapter({
      bodyLimit: 256 * 1024,
      genReqId: (req: { headers: IncomingHttpHeaders }) => requestId(req.headers['x-request-id']),
    }),
    // Lines logged while the app is built wait for the pino logger (LOG_LEVEL, LOG_FORMAT).
    { bufferLogs: true, abortOnError: false },
  );
  app.useLogger(app.get(AppLogger));
  for (const warning of warnings) new Logger('Connections').warn(warning);
  app.enableShutdownHooks();
  echoRequestIds(app);
  refuseNonJsonBodies(app);
  timeRequests(app);
  app.get(OpenApiDocument).set(buildOpenApiDocument(app));
  await registerWorkspace(app);
  await app.listen(opts.config.port, opts.host ?? '0.0.0.0');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : opts.config.port;
  return { app, url: `http://127.0.0.1:${port}` };
}

/** The answer names its request (x-request-id), so a caller can quote it and an operator find its log lines. */
function echoRequestIds(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (req, reply) => {
      void reply.header('x-request-id', req.id);
    });
}

/** API latency per route pattern (404s without a route count as "unmatched"), guards and errors included. */
function timeRequests(app: NestFastifyApplication): void {
  const metrics = app.get(LedgerMetrics);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', async (req, reply) => {
      metrics.observeHttp(
        req.method,
        req.routeOptions.url ?? 'unmatched',
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
    });
}

/** Server-rendered pages under /app post HTML forms and handle their own bodies (and CSRF). */
const isFormArea = (url: string): boolean =>
  url === '/app' || url.startsWith('/app/') || url.startsWith('/app?');

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
      if (!hasBody || isFormArea(req.url)) return;
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return;
      await reply.code(415).send({
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: `request bodies must be JSON (Content-Type: application/json), got ${type ? JSON.stringify(type) : 'no Content-Type'}`,
      });
    });
}
