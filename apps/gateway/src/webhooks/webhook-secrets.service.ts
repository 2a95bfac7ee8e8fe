// Which secrets may sign a webhook naming a provider account: that account's own (Twilio: the
// channel's auth token; Meta: the channel's app secret, else the platform's META_APP_SECRET).
// Never another account's: a tenant's secret cannot speak for another tenant's account.
import { Injectable } from '@nestjs/common';
import type { Channel } from '@herald/contracts';
import { ChannelRepository } from '@herald/persistence';
import { PromiseCache } from '@herald/runtime';
import { CHANGES_CHANNEL, PgNotifications } from '../lookups/pg-notifications.service.js';
import { WebhookConfig } from './webhook.config.js';

// Dropped at once when a channel changes (PgNotifications); the TTL bounds staleness only while
// the LISTEN connection is down.
const CACHE_TTL_MS = 5_000;

@Injectable()
export class WebhookSecretsService {
  private readonly cache = new PromiseCache<string[]>(CACHE_TTL_MS, 10_000);

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
  twilio(accountSid: string): Promise<string[]> {
    return this.cache.get(`sms/${accountSid}`, async () => {
      const signers = await this.channels.webhookSigners('sms', accountSid, 'authToken');
      const own = signers.flatMap((s) => (s.secret ? [s.secret] : []));
      return unique([...own, ...this.config.twilioDevelopmentTokens]);
    });
  }

  /**
   * Meta (WhatsApp phone number id, Messenger page id): each channel naming the account gives
   * its own app secret, or the platform's when it stores none. An account no channel names
   * gets the platform's: nothing would be applied to it anyway.
   */
  meta(type: Extract<Channel, 'whatsapp' | 'messenger'>, account: string): Promise<string[]> {
    return this.cache.get(`${type}/${account}`, async () => {
      const signers = await this.channels.webhookSigners(type, account, 'appSecret');
      const platform = this.config.metaAppSecrets;
      if (signers.length === 0) return platform;
      return unique(signers.flatMap((s) => (s.secret ? [s.secret] : platform)));
    });
  }
}

const unique = (values: string[]) => [...new Set(values)];
