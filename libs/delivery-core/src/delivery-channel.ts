// What makes one delivery app differ from another: its channel, provider adapter, rules, how a
// provider account is named (one breaker each) and the pacing scopes of a send.
import type { Channel } from '@herald/contracts';
import type { ChannelAccount } from '@herald/persistence';
import type { ChannelPolicy } from './channel-policy.js';
import type { ChannelSender } from './channel-sender.js';
import type { DeliveryMetrics } from './delivery.metrics.js';
import type { DeliveryConfig } from './delivery.config.js';
import type { PaceScope } from './pacing/pacer.js';
import type { Rate } from './pacing/token-bucket.js';

/**
 * `C`: the app's config class (DeliveryConfig, or a channel's own that extends it); the core is
 * started with an instance of it (`startDelivery`) and hands that back to `sender` and `pacing`.
 */
export interface DeliveryChannelDefinition<C extends DeliveryConfig = DeliveryConfig> {
  channel: Channel;
  sender: (config: C, metrics: DeliveryMetrics) => ChannelSender;
  policy: ChannelPolicy;
  /** The provider account a channel row sends as (phone number id, AccountSid + sender, Page id). */
  accountKey(account: ChannelAccount): string;
  /** The token buckets one message to `to` must pass. */
  pacing(account: ChannelAccount, to: string, config: C): PaceScope[];
  /**
   * Failure codes that say this channel cannot reach the person (not that the message or the
   * account is wrong): with channel fallback, the person is handed on to the next channel.
   */
  notHere: ReadonlySet<string>;
}

export const DELIVERY_CHANNEL = Symbol('DELIVERY_CHANNEL');

/**
 * The account's sustained rate: its config's `messagesPerSecond` (number or numeric string),
 * else `fallback`, never above `max`. The burst is a fiftieth of a second's worth, so any
 * second holds the rate within a few percent.
 */
export function accountRate(
  account: ChannelAccount,
  fallback: number,
  max = Number.POSITIVE_INFINITY,
): Rate {
  const raw = account.config.messagesPerSecond;
  const given = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  const perSecond = Math.min(Number.isFinite(given) && given > 0 ? given : fallback, max);
  return { perSecond, burst: Math.max(1, Math.ceil(perSecond / 50)) };
}

/** A string from the account's config, or '' (for keys). */
export function configText(account: ChannelAccount, name: string): string {
  const value = account.config[name];
  return typeof value === 'string' ? value : '';
}
