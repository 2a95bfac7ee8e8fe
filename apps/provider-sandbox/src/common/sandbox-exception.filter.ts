// One place that turns anything thrown into an answer. Bad input is always a 4xx: in the
// provider's own error shape on provider paths (a Graph client must be able to parse what it
// gets back), `{error:{code, message, field}}` elsewhere. Only a sandbox bug gives a 500.
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import { ErrorCode, HeraldError } from '@herald/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { messengerInvalid, whatsappInvalid } from './graph-error.js';
import { twilioError } from './twilio-error.js';

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidInput]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.MethodNotAllowed]: 405,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.RateLimited]: 429,
};

const CODE_BY_STATUS: Record<number, string> = {
  400: ErrorCode.InvalidInput,
  401: ErrorCode.Unauthorized,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  405: ErrorCode.MethodNotAllowed,
  413: ErrorCode.PayloadTooLarge,
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: ErrorCode.RateLimited,
};

const GRAPH_SEND_PATH = /^\/[^/?]+\/([^/?]+)\/messages(?:[?#]|$)/;
const TWILIO_PATH = /^\/2010-04-01\//;

interface Answer {
  status: number;
  body: unknown;
}

@Catch()
export class SandboxExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('SandboxExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const answer = this.answer(exception, request);
    void reply.status(answer.status).send(answer.body);
  }

  private answer(exception: unknown, request: FastifyRequest): Answer {
    if (exception instanceof HeraldError) {
      return sandboxError(
        STATUS_BY_CODE[exception.code] ?? 400,
        exception.code,
        exception.message,
        exception.field,
      );
    }
    const status = clientStatus(exception);
    if (status === undefined) {
      this.logger.error(
        `Unhandled error on ${request.method} ${request.url}`,
        exception instanceof Error ? exception.stack : String(exception),
      );
      return sandboxError(500, ErrorCode.Internal, 'Internal error in the provider sandbox');
    }
    const path = request.url;
    if (status === 404) {
      if (TWILIO_PATH.test(path)) {
        return twilioError(
          404,
          20404,
          `The requested resource ${path.split('?')[0]} was not found`,
        );
      }
      return sandboxError(
        404,
        ErrorCode.NotFound,
        `No route for ${request.method} ${path.split('?')[0]}`,
      );
    }
    const message = exception instanceof Error ? exception.message : 'Bad request';
    const graph = GRAPH_SEND_PATH.exec(path);
    if (graph !== null && !path.startsWith('/sandbox/')) {
      const invalid =
        graph[1] === 'me'
          ? messengerInvalid(`Invalid request: ${message}`)
          : whatsappInvalid('Invalid parameter', message);
      return { status: status === 413 || status === 415 ? status : 400, body: invalid.body };
    }
    return sandboxError(status, CODE_BY_STATUS[status] ?? ErrorCode.InvalidInput, message);
  }
}

/** The 4xx status of a Nest HttpException or of a Fastify error (body parsing, size). */
function clientStatus(exception: unknown): number | undefined {
  let status: unknown;
  if (exception instanceof HttpException) status = exception.getStatus();
  else if (exception instanceof Error) status = (exception as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function sandboxError(status: number, code: string, message: string, field?: string): Answer {
  return {
    status,
    body: { error: field === undefined ? { code, message } : { code, message, field } },
  };
}
