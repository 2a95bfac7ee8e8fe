import { Injectable } from '@nestjs/common';
import { ErrorCode, HeraldError } from '@herald/errors';
import { BotRepository } from '@herald/persistence';
import { PromiseCache } from '@herald/runtime';
import { CHANGES_CHANNEL, PgNotifications } from '../lookups/pg-notifications.service.js';
import { AuthFailureThrottle } from './auth-failure.throttle.js';

// Revocation is immediate (the database notifies every instance at commit, see PgNotifications);
// the TTL only bounds staleness while the LISTEN connection is down.
const CACHE_TTL_MS = 2_000;

/** The token of `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  return token && token.length <= 512 ? token : undefined;
}

/** Bot-level API tokens: which bot a token belongs to, cached briefly so the hot paths stay cheap. */
@Injectable()
export class BotTokenService {
  private readonly botByToken = new PromiseCache<string | null>(CACHE_TTL_MS);

  constructor(
    private readonly bots: BotRepository,
    private readonly throttle: AuthFailureThrottle,
    notifications: PgNotifications,
  ) {
    notifications.on(CHANGES_CHANNEL, (table) => {
      if (table === 'bot_tokens' || table === 'bots') this.botByToken.clear();
    });
    notifications.onReset(() => this.botByToken.clear());
  }

  /** The bot of a live token, or null (unknown or revoked). */
  botIdFor(token: string): Promise<string | null> {
    if (token.length === 0 || token.length > 512) return Promise.resolve(null);
    return this.botByToken.get(token, () => this.bots.botIdForToken(token));
  }

  /**
   * Checks that `token` is a live token of `botId` (when given) and returns its bot.
   * `what` names where the token came from, for the message. An address that failed too often
   * is refused (429) before the token is looked up.
   */
  async require(
    token: string | undefined,
    botId: string | undefined,
    what: string,
    callerIp: string,
  ): Promise<string> {
    await this.throttle.check(callerIp);
    if (!token) {
      await this.throttle.failed(callerIp);
      throw new HeraldError(ErrorCode.Unauthorized, `A bot token is required: ${what}.`, {
        fix: 'Create one with POST /admin/bots/{botId}/tokens.',
      });
    }
    const owner = await this.botIdFor(token);
    if (!owner || (botId !== undefined && owner !== botId)) {
      await this.throttle.failed(callerIp);
      throw new HeraldError(
        ErrorCode.Unauthorized,
        "The bot token is not valid for this bot (unknown, revoked, or another bot's).",
      );
    }
    return owner;
  }
}
