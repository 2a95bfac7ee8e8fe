// `x-api-key: <bot token>`, which says the bot by itself (CSML broadcasts, seed 003).
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { callerIp } from '../http/caller-ip.js';
import { TrustedProxies } from '../http/trusted-proxies.js';
import { BotTokenService } from './bot-token.service.js';

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly tokens: BotTokenService,
    private readonly proxies: TrustedProxies,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const ip = callerIp(request, this.proxies.list);
    const header = request.headers['x-api-key'];
    const apiKey = typeof header === 'string' ? header.trim() : undefined;
    const botId = await this.tokens.require(
      apiKey || undefined,
      undefined,
      'send "x-api-key: <bot token>"',
      ip,
    );
    request.apiCaller = { botId, callerIp: ip };
    return true;
  }
}
