import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Logger as PinoNestLogger, type Params } from 'nestjs-pino';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import type { Options as HttpOptions } from 'pino-http';
import pretty from 'pino-pretty';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** json: one JSON object per line (production: what log shippers read); pretty: coloured text for a terminal. */
export type LogFormat = 'json' | 'pretty';

export interface LogSettings {
  logLevel: LogLevel;
  logFormat: LogFormat;
}

/** A request id sent by a proxy or a caller is kept when it is a plain token; otherwise one is made. */
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Probes and scrapes are answered every few seconds and say nothing new: not logged. */
const UNLOGGED = new Set(['/health/live', '/health/ready', '/metrics']);

/** The id of a request: the caller's x-request-id when it is a plain token (a proxy's), else a new UUID. */
export function requestId(sent: string | string[] | undefined): string {
  return typeof sent === 'string' && REQUEST_ID_RE.test(sent) ? sent : randomUUID();
}

/**
 * The pino options every process shares: level, ISO time, level names, pid and host, no secrets. (nestjs-pino keeps
 * one root logger per process, so what tells the ledger's lines from the worker's in `up` is their context.)
 */
export function pinoOptions(settings: LogSettings): LoggerOptions {
  return {
    level: settings.logLevel,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Defence in depth: request serializers below never log headers, but a header logged by mistake stays hidden.
    redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
  };
}

/** Where lines go: stdout as JSON, or through pino-pretty (synchronously, no worker thread). */
export function logDestination(settings: LogSettings): DestinationStream {
  return settings.logFormat === 'pretty'
    ? pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
    : pino.destination({ fd: 1, sync: true });
}

/** A plain pino logger (for code outside Nest, e.g. the embedded broker started by `up`). */
export function createLogger(settings: LogSettings): pino.Logger {
  return pino(pinoOptions(settings), logDestination(settings));
}

/**
 * nestjs-pino settings: the request id of each HTTP request (x-request-id, see requestId) is carried by each line
 * logged while it is handled; a finished request is logged at debug (info for 4xx, error for 5xx),
 * without headers (they carry API keys) and never for probes and scrapes.
 */
export function loggerParams(settings: LogSettings): Params {
  const http: HttpOptions = {
    ...pinoOptions(settings),
    quietReqLogger: true,
    // The HTTP server names each request (see requestId); this is for a server that does not.
    genReqId: (req: IncomingMessage) => requestId(req.headers['x-request-id']),
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug',
    // originalUrl: middleware mounted under a path sees a shortened url.
    autoLogging: {
      ignore: (req) =>
        UNLOGGED.has(((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0]),
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  return { pinoHttp: [http, logDestination(settings)] };
}

/** Nest's own start-up lines (modules loaded, each route mapped, application started): debug, not info. */
const START_UP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/** The Nest logger of every process: nestjs-pino, quiet at info. */
@Injectable()
export class AppLogger extends PinoNestLogger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && START_UP_CONTEXTS.has(context))
      super.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}
