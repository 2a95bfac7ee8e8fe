// Which secrets may sign a webhook naming a provider account, and for which bots: each channel
// naming the account gives its own (Twilio: its auth token; Meta: its app secret, else the
// platform's META_APP_SECRET), and a webhook it verifies speaks for that channel's bot only.
// Never another account's secret; and a tenant whose channel names another tenant's account (a
// Page id is public) signs only for itself, never for the bots holding the account's real secret.
import { Injectable } from '@nestjs/common';
import type { Channel } from '@herald/contracts';
import { ChannelRepository } from '@herald/persistence';
import { PromiseCache } from '@herald/runtime';
import { CHANGES_CHANNEL, PgNotifications } from '../lookups/pg-notifications.service.js';
import { WebhookConfig } from './webhook.config.js';

// Dropped at once when a channel changes (PgNotifications); the TTL bounds staleness only while
// the LISTEN connection is down.
const CACHE_TTL_MS = 5_000;

/** A secret that may sign a webhook of the account, and the bots a webhook it verifies speaks for. */
export interface WebhookSigner {
  secret: string;
  /** null: every bot naming the account (the sandbox's development tokens). */
  botIds: readonly string[] | null;
}

@Injectable()
export class WebhookSecretsService {
  private readonly cache = new PromiseCache<WebhookSigner[]>(CACHE_TTL_MS, 10_000);

  constructor(
    private readonly channels: ChannelRepository,
    private readonly config: WebhookConfig,
    notifications: PgNotifications,
  ) {
    notifications.on(CHANGES_CHANNEL, (table) => {
      if (table === 'channels') this.cache.clear();
    });
    notifications.onReset(() => this.cache.clear());
  }

  /** Twilio: the auth tokens of the channels naming this AccountSid (outside production, plus the sandbox's). */
  twilio(accountSid: string): Promise<WebhookSigner[]> {
    return this.cache.get(`sms/${accountSid}`, async () => {
      const signers = await this.channels.webhookSigners('sms', accountSid, 'authToken');
      return [
        ...bySecret(
          signers.flatMap((s) => (s.secret ? [{ secret: s.secret, botId: s.botId }] : [])),
        ),
        ...this.config.twilioDevelopmentTokens.map((secret) => ({ secret, botIds: null })),
      ];
    });
  }

  /**
   * Meta (WhatsApp phone number id, Messenger page id): each channel naming the account gives
   * its own app secret, or the platform's when it stores none. An account no channel names
   * gets the platform's, speaking for no bot: nothing would be applied to it anyway.
   */
  meta(
    type: Extract<Channel, 'whatsapp' | 'messenger'>,
    account: string,
  ): Promise<WebhookSigner[]> {
    return this.cache.get(`${type}/${account}`, async () => {
      const signers = await this.channels.webhookSigners(type, account, 'appSecret');
      const platform = this.config.metaAppSecrets;
      if (signers.length === 0) return platform.map((secret) => ({ secret, botIds: [] }));
      return bySecret(
        signers.flatMap((s) =>
          s.secret
            ? [{ secret: s.secret, botId: s.botId }]
            : platform.map((secret) => ({ secret, botId: s.botId })),
        ),
      );
    });
  }
}

/** One signer per secret, speaking for every bot whose channel holds it. */
function bySecret(pairs: Array<{ secret: string; botId: string }>): WebhookSigner[] {
  const bots = new Map<string, Set<string>>();
  for (const { secret, botId } of pairs)
    bots.set(secret, (bots.get(secret) ?? new Set()).add(botId));
  return [...bots].map(([secret, ids]) => ({ secret, botIds: [...ids] }));
}

/**
 * The bots a webhook speaks for: those of every signer whose secret verifies it (null: every bot
 * naming the account), or undefined when none does.
 */
export function botsSigning(
  signers: readonly WebhookSigner[],
  verifies: (secret: string) => boolean,
): string[] | null | undefined {
  let bots: Set<string> | undefined;
  for (const signer of signers) {
    if (!verifies(signer.secret)) continue;
    if (signer.botIds === null) return null;
    bots ??= new Set();
    for (const id of signer.botIds) bots.add(id);
  }
  return bots && [...bots];
}
