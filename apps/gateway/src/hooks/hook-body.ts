// A hook's POST body, parsed by the rules of the broadcast its key opened (requireValidFilter).
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { hookCallerOf } from '../auth/api-caller.js';
import { parseHookBody, type ParsedHook } from './hook-payload.parser.js';

export interface HookBodyInput {
  body: unknown;
  requireValidFilter: boolean;
}

/** The body with the broadcast's requireValidFilter, for parseHookInput. */
export const HookBody = createParamDecorator((_: unknown, ctx: ExecutionContext): HookBodyInput => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  const { broadcast } = hookCallerOf(request);
  return { body: request.body, requireValidFilter: broadcast.settings.requireValidFilter };
});

/** The hook's body, parsed (inside the call's idempotent work: a repeat's body is not read). */
export function parseHookInput({ body, requireValidFilter }: HookBodyInput): ParsedHook {
  return parseHookBody(body, { requireValidFilter });
}
