// Chatfuel V1's authentication (seed 002): the bot token travels among the call's parameters
// (`?bot_token=`, or `chatfuel_token`, in the query or the body), so they are read first and a
// malformed call is refused before its token is looked at, as V1 always has; the token must be
// one of the bot the path names, and that bot must still exist.
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ErrorCode, HeraldError } from '@herald/errors';
import { BotTokenService } from '../auth/bot-token.service.js';
import { callerIp } from '../http/caller-ip.js';
import { TrustedProxies } from '../http/trusted-proxies.js';
import { BotLookupService } from '../lookups/bot-lookup.service.js';
import { parseChatfuelV1Params } from './chatfuel-v1-params.parser.js';

@Injectable()
export class ChatfuelV1TokenGuard implements CanActivate {
  constructor(
    private readonly tokens: BotTokenService,
    private readonly lookup: BotLookupService,
    private readonly proxies: TrustedProxies,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<FastifyRequest<{ Params: { botId: string } }>>();
    const { token } = parseChatfuelV1Params(request.query, request.body);
    const ip = callerIp(request, this.proxies.list);
    const botId = await this.tokens.require(
      token,
      request.params.botId,
      'pass ?bot_token=<token> (or chatfuel_token)',
      ip,
    );
    const bot = await this.lookup.bot(botId);
    if (!bot)
      throw new HeraldError(ErrorCode.Unauthorized, 'The bot of this token no longer exists.');
    request.apiCaller = { botId, callerIp: ip, rateLimitRps: bot.rateLimitRps };
    return true;
  }
}
