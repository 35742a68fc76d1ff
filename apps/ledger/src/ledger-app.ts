import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { nestLogLevels } from '@credit-ledger/config';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { LedgerAppOptions, LedgerModule } from './ledger.module';

/** Builds and starts the ledger process; returns the app and the address it listens on. */
export async function startLedgerApp(
  opts: LedgerAppOptions & { host?: string },
): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create<NestFastifyApplication>(
    LedgerModule.forRoot(opts),
    new FastifyAdapter({ bodyLimit: 256 * 1024 }),
    { logger: nestLogLevels(opts.config.logLevel), abortOnError: false },
  );
  app.enableShutdownHooks();
  await app.listen(opts.config.port, opts.host ?? '0.0.0.0');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : opts.config.port;
  return { app, url: `http://127.0.0.1:${port}` };
}
