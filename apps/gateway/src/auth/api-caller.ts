// Who called a public API, as its guard established it. The guard of each authentication scheme
// sets it on the request; the quota guard, `@Idempotent()` and the handlers read it.
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { BroadcastEntity } from '@herald/persistence';

export interface ApiCaller {
  botId: string;
  callerIp: string;
  /** The bot's own rate, when its API counts calls against it (Chatfuel V1). */
  rateLimitRps?: number;
}

/** A hook's caller: the broadcast its hook key opened, and that broadcast's bot. */
export interface HookCaller extends ApiCaller {
  broadcast: BroadcastEntity;
}

declare module 'fastify' {
  interface FastifyRequest {
    apiCaller?: ApiCaller & Partial<HookCaller>;
  }
}

/** The caller a guard established; a route without one is a wiring mistake, not a refusal. */
export function callerOf(request: FastifyRequest): ApiCaller {
  if (!request.apiCaller) throw new Error(`No API guard ran for ${request.method} ${request.url}`);
  return request.apiCaller;
}

/** The handler's `ApiCaller`. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): ApiCaller =>
  callerOf(ctx.switchToHttp().getRequest<FastifyRequest>()),
);

export function hookCallerOf(request: FastifyRequest): HookCaller {
  const caller = callerOf(request);
  const { broadcast } = request.apiCaller ?? {};
  if (!broadcast) throw new Error('A hook route needs HookKeyGuard');
  return { ...caller, broadcast };
}

/** The handler's `HookCaller` (routes guarded by HookKeyGuard). */
export const Hook = createParamDecorator((_: unknown, ctx: ExecutionContext): HookCaller =>
  hookCallerOf(ctx.switchToHttp().getRequest<FastifyRequest>()),
);
