import { Injectable } from '@nestjs/common';
import type { BlockList } from 'node:net';
import { ErrorCode, HeraldError } from '@herald/errors';
import type { BroadcastEntity } from '@herald/persistence';
import { AuthFailureThrottle } from '../auth/auth-failure.throttle.js';
import { BotTokenService, bearerToken } from '../auth/bot-token.service.js';
import { RequestBroadcastService } from '../broadcast/request-broadcast.service.js';
import { TtlCache } from '../common/ttl-cache.js';
import { addressIn, parseAddressList } from '../http/caller-ip.js';
import { IdempotencyService, type Answer } from '../idempotency/idempotency.service.js';
import { BotLookupService } from '../lookups/bot-lookup.service.js';
import { QuotaService } from '../quotas/quota.service.js';
import { parseHookBody } from './hook-payload.parser.js';

export interface HookCall {
  hookKey: string;
  method: 'GET' | 'POST';
  authorization?: string;
  queryToken?: string;
  callerIp: string;
  body: unknown;
  idempotencyKey?: string;
}

export interface HookAccepted {
  success: true;
  run_id: string;
  scheduled_for: string;
}

/** The on-demand hook (seeds 000/001): checks in the seed's order, then one produce. */
@Injectable()
export class AcceptHookService {
  private readonly allowLists = new TtlCache<BlockList>(60_000, 1_000);

  constructor(
    private readonly lookup: BotLookupService,
    private readonly tokens: BotTokenService,
    private readonly requester: RequestBroadcastService,
    private readonly idempotency: IdempotencyService,
    private readonly throttle: AuthFailureThrottle,
    private readonly quotas: QuotaService,
  ) {}

  async accept(call: HookCall): Promise<Answer<HookAccepted>> {
    // A hook key is a credential too: guessing keys is throttled like guessing tokens.
    await this.throttle.check(call.callerIp);
    const broadcast = await this.lookup.broadcastByHookKey(call.hookKey);
    const { settings } = broadcast ?? {};
    if (!broadcast || !settings?.enabled) {
      // An unknown key is a guess; a disabled broadcast's key is not (its caller just has to stop).
      if (!broadcast) await this.throttle.failed(call.callerIp);
      throw new HeraldError(ErrorCode.NotFound, 'No enabled broadcast has this hook URL.', {
        fix: 'Check the URL; it changes when the hook key is regenerated.',
      });
    }
    if (
      (call.method === 'GET' && !settings.allowGet) ||
      (call.method === 'POST' && !settings.allowPost)
    ) {
      throw new HeraldError(
        ErrorCode.MethodNotAllowed,
        `This broadcast's hook does not accept ${call.method}.`,
        {
          fix: `Turn on settings.${call.method === 'GET' ? 'allowGet' : 'allowPost'}, or use the other verb.`,
        },
      );
    }
    if (
      settings.allowedHosts.length > 0 &&
      !(await this.hostAllowed(call.callerIp, settings.allowedHosts))
    ) {
      throw new HeraldError(
        ErrorCode.Forbidden,
        `Calls from ${call.callerIp} are not allowed for this hook.`,
        {
          fix: "Call from an address in the broadcast's allowedHosts, or add this one.",
        },
      );
    }
    if (!settings.directMode) await this.authenticate(call, broadcast);
    await this.quotas.take('hook', broadcast.botId, this.quotas.perSecond('hook'));
    const key = call.method === 'POST' ? IdempotencyService.check(call.idempotencyKey) : undefined;

    const parsed =
      call.method === 'GET'
        ? {}
        : parseHookBody(call.body, { requireValidFilter: settings.requireValidFilter });
    return this.idempotency.once(broadcast.botId, key, async (runId) => {
      const run = await this.requester.request(
        {
          botId: broadcast.botId,
          broadcastId: broadcast.id,
          source: 'hook',
          ...(parsed.audience ? { audience: parsed.audience } : {}),
          ...(parsed.targets ? { targets: parsed.targets } : {}),
          ...(parsed.setVariables ? { setVariables: parsed.setVariables } : {}),
          ...(parsed.payload !== undefined ? { payload: parsed.payload } : {}),
          ...(settings.singleContact ? { options: { singleContact: true } } : {}),
          delayMinutes: parsed.delayMinutes,
        },
        runId,
      );
      return { success: true as const, run_id: run.runId, scheduled_for: run.scheduledFor };
    });
  }

  private async authenticate(call: HookCall, broadcast: BroadcastEntity): Promise<void> {
    const token =
      bearerToken(call.authorization) ??
      (broadcast.settings.legacyMode ? call.queryToken : undefined);
    if (!token) {
      await this.throttle.failed(call.callerIp);
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
    await this.tokens.require(token, broadcast.botId, 'this hook', call.callerIp);
  }

  private async hostAllowed(ip: string, allowed: string[]): Promise<boolean> {
    const list = await this.allowLists.get(allowed.join(','), () =>
      Promise.resolve(parseAddressList(allowed).list),
    );
    return addressIn(list, ip);
  }
}
