// Chatfuel V1's parameters, from the query and the body together (seed 002).
import { createParamDecorator, type ExecutionContext, type PipeTransform } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { parseChatfuelV1Params, type ChatfuelV1Params } from './chatfuel-v1-params.parser.js';

export interface ChatfuelV1Input {
  query: unknown;
  body: unknown;
}

/** The query and the body, for ChatfuelV1ParamsPipe. */
export const ChatfuelV1Request = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): ChatfuelV1Input => {
    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    return { query: request.query, body: request.body };
  },
);

export class ChatfuelV1ParamsPipe implements PipeTransform<ChatfuelV1Input, ChatfuelV1Params> {
  transform({ query, body }: ChatfuelV1Input): ChatfuelV1Params {
    return parseChatfuelV1Params(query, body);
  }
}
