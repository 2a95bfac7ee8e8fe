// `Idempotency-Key` on a public POST, in one flow for every API: the key is checked once the
// caller is known (after the guards), the handler (body parsing included) runs once per bot and
// key, a repeat gets the first answer marked `Idempotent-Replayed: true`. The handler takes the
// run id it must use with `@RunId()`: a request that died holding a key hands its run id on.
import {
  Injectable,
  createParamDecorator,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, map, type Observable } from 'rxjs';
import { callerOf } from '../auth/api-caller.js';
import { IDEMPOTENCY_HEADER, IdempotencyService } from './idempotency.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    runId?: string;
  }
}

export const REPLAYED_HEADER = 'idempotent-replayed';

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const header = request.headers[IDEMPOTENCY_HEADER];
    const key = IdempotencyService.check(typeof header === 'string' ? header : undefined);
    const answer = this.idempotency.once(callerOf(request).botId, key, (runId) => {
      request.runId = runId;
      return lastValueFrom(next.handle());
    });
    return from(answer).pipe(
      map(({ body, replayed }) => {
        if (replayed) void reply.header(REPLAYED_HEADER, 'true');
        return body;
      }),
    );
  }
}

/** The run id IdempotencyInterceptor reserved for this request. */
export const RunId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const { runId } = ctx.switchToHttp().getRequest<FastifyRequest>();
  if (runId === undefined) throw new Error('@RunId() needs IdempotencyInterceptor on its route');
  return runId;
});
