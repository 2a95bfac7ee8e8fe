// `Authorization: Bearer <bot token>` of the bot the path names (Chatfuel V2, seed 002).
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { callerIp } from '../http/caller-ip.js';
import { TrustedProxies } from '../http/trusted-proxies.js';
import { BotTokenService, bearerToken } from './bot-token.service.js';

@Injectable()
export class BearerTokenGuard implements CanActivate {
  constructor(
    private readonly tokens: BotTokenService,
    private readonly proxies: TrustedProxies,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<FastifyRequest<{ Params: { botId: string } }>>();
    const ip = callerIp(request, this.proxies.list);
    const botId = await this.tokens.require(
      bearerToken(request.headers.authorization),
      request.params.botId,
      'send "Authorization: Bearer <bot token>"',
      ip,
    );
    request.apiCaller = { botId, callerIp: ip };
    return true;
  }
}
