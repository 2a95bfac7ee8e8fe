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

// Secrets never reach a log line, even inside a message or a URL: an Authorization or API-key
// header, a Bearer/Basic credential, Herald's own token formats, a Meta access token, a token in
// a query string, and a hook key (the path segment after /hooks/, itself a bearer secret).
// Order matters: a whole header value goes before the credential patterns it contains.
const SECRET_PATTERNS: Array<[RegExp, string | ((match: string) => string)]> = [
  [
    /\b((?:proxy-)?authorization|x-api-key|x-hub-signature(?:-256)?|x-twilio-signature)(["']?\s*[:=]\s*["']?)[^"',}\n]+/gi,
    '$1$2[redacted]',
  ],
  [/\b(Bearer|Basic)\s+[\w.~+/=-]+/gi, '$1…[redacted]'],
  [/\b(hrt|hak)_[\w-]{8,}/g, '$1_…[redacted]'],
  [/\bEAA[A-Za-z0-9]{16,}/g, 'EAA…[redacted]'],
  [
    /([?&;](?:bot_token|token|access_token|api_key|apikey|key|secret|password|hub\.verify_token)=)[^&#\s"'<>]*/gi,
    '$1[redacted]',
  ],
  [/(\/hooks\/)(?!:)[^/?#\s"'<>]+/g, '$1[redacted]'],
  [
    /("(?:token|accessToken|authToken|pageAccessToken|appSecret|password|secret|hookKey)"\s*:\s*)"[^"]*"/g,
    '$1"[redacted]"',
  ],
];

export function scrub(message: string): string {
  return SECRET_PATTERNS.reduce(
    (text, [pattern, replacement]) => text.replace(pattern, replacement as string),
    message,
  );
}

/** Every string inside `value` scrubbed (objects and arrays a few levels deep; other values as they are). */
export function scrubDeep(value: unknown, depth = 4): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth === 0 || typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return scrub(value.stack ?? value.message);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth - 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, depth - 1)]));
}

export class JsonLogger implements LoggerService {
  private readonly pino: Logger;

  constructor(service: string, level: LogLevel, destination?: pino.DestinationStream) {
    this.pino = pino(
      {
        base: { service },
        level: PINO_LEVEL[level],
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        timestamp: pino.stdTimeFunctions.isoTime,
      },
      destination,
    );
  }

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    const context =
      typeof params[params.length - 1] === 'string'
        ? (params[params.length - 1] as string)
        : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (level === 'error' && typeof params[0] === 'string' && params.length > 1)
      fields.stack = scrub(params[0]);
    if (typeof message === 'object' && message !== null) {
      // Structured lines ({ msg, runId, … }): the run id is a field operators filter on.
      const { msg, ...rest } = message as { msg?: unknown };
      const text = typeof msg === 'string' ? scrub(msg) : undefined;
      this.pino[PINO_LEVEL[level] as 'info'](
        { ...fields, ...(scrubDeep(rest) as object) },
        ...(text !== undefined ? [text] : []),
      );
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
