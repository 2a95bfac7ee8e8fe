// Chatfuel V1's parameters, from the query and the body together (seed 002).
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { parseChatfuelV1Params, type ChatfuelV1Params } from './chatfuel-v1-params.parser.js';

export interface ChatfuelV1Input {
  query: unknown;
  body: unknown;
}

/** The query and the body, for parseChatfuelV1Input. */
export const ChatfuelV1Request = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): ChatfuelV1Input => {
    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    return { query: request.query, body: request.body };
  },
);

/** V1's parameters, parsed (inside the call's idempotent work: a repeat's are not read again). */
export function parseChatfuelV1Input({ query, body }: ChatfuelV1Input): ChatfuelV1Params {
  return parseChatfuelV1Params(query, body);
}
