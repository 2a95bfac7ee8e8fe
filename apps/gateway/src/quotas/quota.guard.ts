// The per-bot quota of a public API (issue 11), counted once its caller is known: after the
// authentication guard, before the body is read. `@Quota('csml')` names the API of a route.
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { callerOf } from '../auth/api-caller.js';
import { QuotaService, type QuotaApi } from './quota.service.js';

export const Quota = Reflector.createDecorator<QuotaApi>();

@Injectable()
export class QuotaGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly quotas: QuotaService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const api = this.reflector.getAllAndOverride(Quota, [context.getHandler(), context.getClass()]);
    if (api === undefined) throw new Error('QuotaGuard needs @Quota(api) on its route');
    const caller = callerOf(context.switchToHttp().getRequest<FastifyRequest>());
    await this.quotas.take(api, caller.botId, this.perSecond(api, caller.rateLimitRps));
    return true;
  }

  private perSecond(api: QuotaApi, botRate: number | undefined): number {
    if (api !== 'chatfuel-v1') return this.quotas.perSecond(api);
    // Seed 002: 25 requests per second per bot (the bot's rateLimitRps), across instances.
    if (botRate === undefined) throw new Error("Chatfuel V1's guard sets the bot's rate");
    return botRate;
  }
}
