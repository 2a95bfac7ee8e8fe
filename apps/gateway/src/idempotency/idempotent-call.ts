// `Idempotency-Key` on a public POST, in one flow for every API. The handler takes the call with
// `@Idempotent()` and does its work through `IdempotencyService.answer`: the key is checked once
// the caller is known (after the guards) and before the body is read (the work parses it), the
// work runs once per bot and key, and a repeat gets the first answer marked
// `Idempotent-Replayed: true`. The work takes the run id it must use: a request that died holding
// a key hands its run id on.
//
// A parameter rather than a Nest interceptor: a route with no interceptor skips the rxjs Nest
// wraps each handler in when one exists, which the public routes' hot path does not pay.
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerOf } from '../auth/api-caller.js';
import { IDEMPOTENCY_HEADER, type IdempotentCall } from './idempotency.service.js';

/** The call's bot (the route's guards identified it), its Idempotency-Key as sent, its reply. */
export const Idempotent = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): IdempotentCall => {
    const http = ctx.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const header = request.headers[IDEMPOTENCY_HEADER];
    return {
      botId: callerOf(request).botId,
      key: typeof header === 'string' ? header : undefined,
      reply: http.getResponse<FastifyReply>(),
    };
  },
);
