// The error body of the Chatfuel-style APIs (seed 002): `{success: false, result}`, the result a
// sentence a person can act on. Bound on their controllers with @UseFilters(ChatfuelErrorFilter);
// their routes also carry @RouteConfig(CHATFUEL_ERRORS) for the errors raised before Nest reaches
// a controller (the JSON parser), which Nest hands to the global filter only.
import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { replyWithError, type ErrorResponse } from '../errors/http-error.filter.js';

export interface ChatfuelErrorBody {
  success: false;
  result: string;
}

export function chatfuelBody(e: ErrorResponse, correlationId: string): ChatfuelErrorBody {
  const text = e.fix ? `${e.message} ${e.fix}` : e.message;
  return {
    success: false,
    result: e.status >= 500 ? `${text} (correlation id ${correlationId})` : text,
  };
}

/** Fastify route config of a Chatfuel-style route. */
export const CHATFUEL_ERRORS = { errorBody: chatfuelBody };

@Catch()
export class ChatfuelErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ChatfuelErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    replyWithError(
      exception,
      ctx.getRequest<FastifyRequest>(),
      ctx.getResponse<FastifyReply>(),
      this.logger,
      chatfuelBody,
    );
  }
}
