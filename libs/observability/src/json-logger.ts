// JSON logs (pino), one object per line, for production: the service name on every line, and
// credentials redacted wherever they appear in structured fields.
import type { LoggerService, LogLevel } from '@nestjs/common';
import pino, { type Logger } from 'pino';

export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers',
  '*.headers',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'authToken',
  '*.authToken',
  'pageAccessToken',
  '*.pageAccessToken',
  'credentials',
  '*.credentials',
];

const PINO_LEVEL: Record<LogLevel, string> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

// Bearer tokens and Herald's own token formats never reach a log line, even inside a message.
const SECRET_PATTERNS = [/Bearer\s+[\w.~+/=-]+/gi, /\b(hrt|hak)_[\w-]{8,}/g, /access_token=[^&\s]+/gi];

export function scrub(message: string): string {
  return SECRET_PATTERNS.reduce((text, pattern) => text.replace(pattern, (m) => `${m.slice(0, 6)}…[redacted]`), message);
}

export class JsonLogger implements LoggerService {
  private readonly pino: Logger;

  constructor(service: string, level: LogLevel, destination?: pino.DestinationStream) {
    this.pino = pino(
      { base: { service }, level: PINO_LEVEL[level], redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime },
      destination,
    );
  }

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    const context = typeof params[params.length - 1] === 'string' ? (params[params.length - 1] as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (level === 'error' && typeof params[0] === 'string' && params.length > 1) fields.stack = scrub(params[0]);
    if (typeof message === 'object' && message !== null) {
      // Structured lines ({ msg, runId, … }): the run id is a field operators filter on.
      const { msg, ...rest } = message as { msg?: unknown };
      const text = typeof msg === 'string' ? scrub(msg) : undefined;
      this.pino[PINO_LEVEL[level] as 'info']({ ...fields, ...rest }, ...(text !== undefined ? [text] : []));
    } else {
      this.pino[PINO_LEVEL[level] as 'info'](fields, scrub(String(message)));
    }
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }
}
