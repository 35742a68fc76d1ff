import 'reflect-metadata';
import { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { LedgerAppOptions, LedgerModule } from './ledger.module';

const NEST_LEVELS: Record<string, LogLevel[]> = {
  debug: ['error', 'warn', 'log', 'debug'],
  info: ['error', 'warn', 'log'],
  warn: ['error', 'warn'],
  error: ['error'],
};

/** Builds and starts the ledger process; returns the app and the address it listens on. */
export async function startLedgerApp(
  opts: LedgerAppOptions & { host?: string },
): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create<NestFastifyApplication>(
    LedgerModule.forRoot(opts),
    new FastifyAdapter({ bodyLimit: 256 * 1024 }),
    { logger: NEST_LEVELS[opts.config.logLevel], abortOnError: false },
  );
  app.enableShutdownHooks();
  await app.listen(opts.config.port, opts.host ?? '0.0.0.0');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : opts.config.port;
  return { app, url: `http://127.0.0.1:${port}` };
}
