// The hook's authentication (seeds 000/001), in the seed's order: the hook key opens an enabled
// broadcast, the verb is one it allows, the caller is in its allowedHosts, then (unless the
// broadcast is in direct mode) a bot token of its bot.
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { BlockList } from 'node:net';
import { ErrorCode, HeraldError } from '@herald/errors';
import type { BroadcastEntity } from '@herald/persistence';
import { PromiseCache } from '@herald/runtime';
import { AuthFailureThrottle } from '../auth/auth-failure.throttle.js';
import { BotTokenService, bearerToken } from '../auth/bot-token.service.js';
import { addressIn, callerIp, parseAddressList } from '../http/caller-ip.js';
import { TrustedProxies } from '../http/trusted-proxies.js';
import { BotLookupService } from '../lookups/bot-lookup.service.js';

export const otherVerb = (): HeraldError =>
  new HeraldError(ErrorCode.MethodNotAllowed, 'The hook accepts GET and POST only.');

@Injectable()
export class HookKeyGuard implements CanActivate {
  private readonly allowLists = new PromiseCache<BlockList>(60_000, 1_000);

  constructor(
    private readonly lookup: BotLookupService,
    private readonly tokens: BotTokenService,
    private readonly throttle: AuthFailureThrottle,
    private readonly proxies: TrustedProxies,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<FastifyRequest<{ Params: { hookKey: string } }>>();
    // Fastify answers HEAD with the GET handler; a link checker's HEAD must not start a broadcast.
    const method = request.method;
    if (method !== 'GET' && method !== 'POST') throw otherVerb();
    const ip = callerIp(request, this.proxies.list);
    // A hook key is a credential too: guessing keys is throttled like guessing tokens.
    await this.throttle.check(ip);
    const broadcast = await this.lookup.broadcastByHookKey(request.params.hookKey);
    const { settings } = broadcast ?? {};
    if (!broadcast || !settings?.enabled) {
      // An unknown key is a guess; a disabled broadcast's key is not (its caller just has to stop).
      if (!broadcast) await this.throttle.failed(ip);
      throw new HeraldError(ErrorCode.NotFound, 'No enabled broadcast has this hook URL.', {
        fix: 'Check the URL; it changes when the hook key is regenerated.',
      });
    }
    if ((method === 'GET' && !settings.allowGet) || (method === 'POST' && !settings.allowPost)) {
      throw new HeraldError(
        ErrorCode.MethodNotAllowed,
        `This broadcast's hook does not accept ${method}.`,
        {
          fix: `Turn on settings.${method === 'GET' ? 'allowGet' : 'allowPost'}, or use the other verb.`,
        },
      );
    }
    if (settings.allowedHosts.length > 0 && !(await this.hostAllowed(ip, settings.allowedHosts))) {
      throw new HeraldError(
        ErrorCode.Forbidden,
        `Calls from ${ip} are not allowed for this hook.`,
        {
          fix: "Call from an address in the broadcast's allowedHosts, or add this one.",
        },
      );
    }
    if (!settings.directMode) await this.authenticate(request, ip, broadcast);
    request.apiCaller = { botId: broadcast.botId, callerIp: ip, broadcast };
    return true;
  }

  private async authenticate(
    request: FastifyRequest,
    ip: string,
    broadcast: BroadcastEntity,
  ): Promise<void> {
    const query = request.query as Record<string, unknown> | undefined;
    const queryToken = typeof query?.token === 'string' ? query.token : undefined;
    const token =
      bearerToken(request.headers.authorization) ??
      (broadcast.settings.legacyMode ? queryToken : undefined);
    if (!token) {
      await this.throttle.failed(ip);
      throw new HeraldError(
        ErrorCode.Unauthorized,
        'This hook needs "Authorization: Bearer <bot token>".',
        {
          fix: broadcast.settings.legacyMode
            ? 'Or pass ?token=<bot token> (legacy mode).'
            : 'Create a bot token with POST /admin/bots/{botId}/tokens.',
        },
      );
    }
    await this.tokens.require(token, broadcast.botId, 'this hook', ip);
  }

  private async hostAllowed(ip: string, allowed: string[]): Promise<boolean> {
    const list = await this.allowLists.get(allowed.join(','), () =>
      Promise.resolve(parseAddressList(allowed).list),
    );
    return addressIn(list, ip);
  }
}
