// One place maps every error to a status; the body is Herald's
// `{error: {code, message, field?, fix?, correlationId}}` unless an API's own filter gives its
// seed's body (ChatfuelErrorFilter). A 500 says nothing internal; the details go to the log under
// the same correlation id.
import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { randomUUID } from 'node:crypto';
import { ErrorCode, HeraldError, classifyFailure } from '@herald/errors';
import { RetryLaterError } from './retry-later.error.js';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  [ErrorCode.InvalidInput]: 400,
  [ErrorCode.InvalidEvent]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.MethodNotAllowed]: 405,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.RecordRefused]: 413,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.ProviderRejected]: 502,
  [ErrorCode.ProviderUnavailable]: 503,
  [ErrorCode.DependencyUnavailable]: 503,
  [ErrorCode.Internal]: 500,
};

export interface ErrorBody {
  error: { code: string; message: string; field?: string; fix?: string; correlationId: string };
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.InvalidInput,
  401: ErrorCode.Unauthorized,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  405: ErrorCode.MethodNotAllowed,
  409: ErrorCode.Conflict,
  413: ErrorCode.PayloadTooLarge,
  414: ErrorCode.InvalidInput,
  415: ErrorCode.InvalidInput,
  429: ErrorCode.RateLimited,
};

/** Fastify's own errors (raised before a handler runs), said plainly. */
const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE:
    'The request body is larger than the 1 MiB limit. Send fewer targets per call.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported Content-Type. Send application/json.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH:
    'The Content-Length header does not match the body that was sent.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The body is empty although the Content-Type says application/json.',
  FST_ERR_MAX_PARAM_LENGTH:
    'A segment of the URL path is longer than 100 characters; no id or key is that long.',
  FST_ERR_BAD_URL: 'The URL path holds an invalid percent-encoded component.',
};

/** Nest wraps some of them in its own exceptions; these say the same plainly. */
const PLAIN_BY_STATUS: Record<number, string> = {
  413: FASTIFY_MESSAGES.FST_ERR_CTP_BODY_TOO_LARGE,
  415: FASTIFY_MESSAGES.FST_ERR_CTP_INVALID_MEDIA_TYPE,
};

/** How long a caller is asked to wait when a dependency is not answering. */
const OUTAGE_RETRY_AFTER_SECONDS = 5;

export interface ErrorResponse {
  status: number;
  code: ErrorCode;
  message: string;
  field?: string;
  fix?: string;
  headers: Record<string, string>;
}

/** Turns any thrown value into a status, a code and a message. */
export function describeHttpError(exception: unknown): ErrorResponse {
  if (exception instanceof HeraldError) {
    const headers: Record<string, string> =
      exception instanceof RetryLaterError
        ? { 'retry-after': String(exception.retryAfterSeconds) }
        : {};
    return {
      status: STATUS_BY_CODE[exception.code],
      code: exception.code,
      message: exception.message,
      field: exception.field,
      fix: exception.fix,
      headers,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const raw =
      typeof response === 'object' && response !== null
        ? (response as { message?: unknown }).message
        : response;
    const message = Array.isArray(raw) ? raw.join('; ') : String(raw ?? exception.message);
    const code =
      CODE_BY_STATUS[status] ?? (status >= 500 ? ErrorCode.Internal : ErrorCode.InvalidInput);
    return { status, code, message: PLAIN_BY_STATUS[status] ?? message, headers: {} };
  }
  // Fastify's own errors (bad JSON, body too large, bad content type) carry a 4xx statusCode.
  const fastify = exception as { statusCode?: number; code?: string; message?: string };
  if (
    typeof fastify?.statusCode === 'number' &&
    fastify.statusCode >= 400 &&
    fastify.statusCode < 500
  ) {
    const status = fastify.statusCode;
    const known = fastify.code ? FASTIFY_MESSAGES[fastify.code] : undefined;
    const message =
      known ??
      (status === 400
        ? `The request body is not valid JSON: ${fastify.message ?? 'parse error'}`
        : (fastify.message ?? 'Bad request'));
    return {
      status,
      code: CODE_BY_STATUS[status] ?? ErrorCode.InvalidInput,
      message,
      ...(status === 400 && !known ? { field: 'body' } : {}),
      headers: {},
    };
  }
  // PostgreSQL or Kafka not answering (down, stalled past the statement timeout): the caller's
  // request was fine, so it is told to come back, not that Herald broke.
  if (classifyFailure(exception) === 'outage')
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      code: ErrorCode.DependencyUnavailable,
      message: `Herald's database or Kafka is not answering; try again in ${OUTAGE_RETRY_AFTER_SECONDS} seconds.`,
      fix: 'Wait the number of seconds in the Retry-After header and send the same request again, with the same Idempotency-Key if it had one, so that it is not carried out twice.',
      headers: { 'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS) },
    };
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    code: ErrorCode.Internal,
    message: 'Internal error. Quote the correlation id when reporting it.',
    headers: {},
  };
}

/** The common body (kept for callers that only need it). */
export function toErrorResponse(
  exception: unknown,
  correlationId: string,
): { status: number; body: ErrorBody } {
  const e = describeHttpError(exception);
  return { status: e.status, body: heraldBody(e, correlationId) };
}

/** Writes the body of an error (its status and headers are set apart). */
export type ErrorBodyRenderer = (error: ErrorResponse, correlationId: string) => unknown;

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The body of the errors raised on this route before Nest reaches its controller (the JSON
     * parser, the URL check): Nest hands those to the global filter only, which asks the route.
     */
    errorBody?: ErrorBodyRenderer;
  }
}

export function heraldBody(e: ErrorResponse, correlationId: string): ErrorBody {
  const fix = e.fix ?? defaultFix(e);
  return {
    error: {
      code: e.code,
      message: e.message,
      ...(e.field !== undefined ? { field: e.field } : {}),
      ...(fix !== undefined ? { fix } : {}),
      correlationId,
    },
  };
}

/**
 * What to do about an error whose thrower named no fix: every 4xx (and 503) says what the
 * caller can change, in the terms of its status. A 500 says nothing more (the log has it).
 */
export function defaultFix(e: Pick<ErrorResponse, 'status' | 'field'>): string | undefined {
  switch (e.status) {
    case 400:
      return e.field !== undefined && e.field !== 'body'
        ? `Correct \`${e.field}\` as the message says and send the request again; GET /docs describes every field.`
        : 'Correct the body as the message says (JSON, with the fields GET /docs describes) and send the request again.';
    case 401:
      return 'Send Authorization: Bearer <token>: a bot token (POST /admin/bots/:botId/tokens) on the public APIs, the admin key on /admin.';
    case 403:
      return "This action is turned off in the resource's settings; an operator can turn it on in the admin API.";
    case 404:
      return 'Check the id or key in the path; the admin API lists what exists.';
    case 405:
      return 'Use one of the methods the route accepts (see GET /docs).';
    case 409:
      return 'Read the current state (GET the resource) and only retry what is still needed.';
    case 413:
      return 'Send fewer targets or smaller variables per call (the limit is 1 MiB).';
    case 414:
      return 'Check the URL: ids and keys are far shorter (see GET /docs for the routes).';
    case 415:
      return 'Send Content-Type: application/json.';
    case 429:
      return 'Wait the number of seconds in the Retry-After header, then retry.';
    case 503:
      return 'Retry shortly: nothing was started.';
    default:
      return e.status >= 400 && e.status < 500
        ? 'Change the request as the message says and send it again.'
        : undefined;
  }
}

/** The global filter: Herald's body, or the one the route names for errors before its controller. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    replyWithError(
      exception,
      request,
      ctx.getResponse<FastifyReply>(),
      this.logger,
      routeErrorBody(request),
    );
  }
}

function routeErrorBody(request: FastifyRequest | undefined): ErrorBodyRenderer {
  return request?.routeOptions?.config?.errorBody ?? heraldBody;
}

/** Answers `exception` on `reply`: its status and headers, a correlation id, `render`'s body. */
export function replyWithError(
  exception: unknown,
  request: FastifyRequest | undefined,
  reply: FastifyReply,
  logger: Logger,
  render: ErrorBodyRenderer,
): void {
  const header = request?.headers?.['x-correlation-id'];
  const correlationId =
    typeof header === 'string' && /^[\w.:-]{1,128}$/.test(header) ? header : randomUUID();
  const error = describeHttpError(exception);
  if (error.status >= 500) {
    logger.error(
      `${request?.method} ${request?.url} failed [${correlationId}]: ${(exception as Error)?.stack ?? String(exception)}`,
    );
  }
  void reply
    .status(error.status)
    .headers({ ...error.headers, 'x-correlation-id': correlationId })
    .send(render(error, correlationId));
}

/**
 * Fastify's `frameworkErrors`: errors its router raises before any route is chosen (a path segment
 * over 100 characters, a malformed percent-encoding) get Herald's body, as every unrouted request.
 */
export function frameworkErrors(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  replyWithError(error, request, reply, frameworkLogger, routeErrorBody(request));
}
const frameworkLogger = new Logger('HttpErrorFilter');

/** What Node's HTTP parser refuses before Fastify sees a request, said as Herald says errors. */
const CLIENT_ERRORS: Record<string, { status: number; message: string; fix: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    message: 'The request line and headers together are larger than 16 KiB.',
    fix: 'Send long parameters in the JSON body rather than the URL, and drop headers the API does not read.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    message: 'The request did not arrive whole in time.',
    fix: 'Send the whole request at once, then wait for the answer.',
  },
};
const NOT_HTTP = {
  status: 400,
  message: 'The request is not valid HTTP/1.1.',
  fix: 'Send a well-formed HTTP/1.1 request (a client library does).',
};

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refuses (headers over its limit, a
 * malformed request line, a request too slow to arrive) gets Herald's body with a status and what
 * to change, on the bare socket, which is then closed. A connection the client reset gets nothing.
 */
export function clientErrors(
  error: Error & { code?: string },
  socket: { destroyed: boolean; writable: boolean; write(data: string): unknown; destroy(): void },
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = (error.code && CLIENT_ERRORS[error.code]) || NOT_HTTP;
  const body = JSON.stringify(
    heraldBody({ ...known, code: ErrorCode.InvalidInput, headers: {} }, randomUUID()),
  );
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy();
}
