import { templateRefusal, type Message, type TextOnlyChannel } from '@herald/contracts';
import type { FailureKind } from '@herald/errors';
import type { ChannelAccount } from '@herald/persistence';

export interface OutboundMessage {
  to: string;
  message: Message;
  messagingTag?: string;
  notificationMessagesToken?: string;
  oneTimeNotifToken?: string;
}

/**
 * The kinds of failure a provider answer can be (the vocabulary of @herald/errors' outcome.ts):
 * `account`: the account is in trouble (timeouts, 5xx, throughput limits), it counts against
 * the account's breaker and is retried; `transient`: this recipient may work later (a pair rate
 * limit); `permanent`: retrying cannot help (an invalid number, a closed window).
 */
export type SendFailureKind = Exclude<FailureKind, 'outage'>;

export type SendFailure = {
  ok: false;
  failure: SendFailureKind;
  code: string;
  reason: string;
  /**
   * The account itself refused, for the bot's own reasons (its credentials, its suspension, its
   * config): nothing was sent, and nothing is down. Failure `account` (a failover account sends
   * instead, else it is retried and then failed with the reason), but it opens no breaker: an
   * open breaker pauses the channel for every bot, and one bot's revoked token is not an outage.
   */
  refused?: true;
};

export type SendOutcome =
  { ok: true; providerMessageId: string | null; segments?: number } | SendFailure;

/** One adapter per provider; breakers, pacing and retries wrap `send` in the core, once. */
export interface ChannelSender {
  send(account: ChannelAccount, outbound: OutboundMessage): Promise<SendOutcome>;
}

export const CHANNEL_SENDER = Symbol('CHANNEL_SENDER');

/** A template on a text-only channel (the contracts' one rule): refused for good. */
export function templateNotSupported(channel: TextOnlyChannel): SendFailure {
  return { ok: false, failure: 'permanent', code: 'UNSUPPORTED', reason: templateRefusal(channel) };
}

/**
 * The account's stored config cannot make a request (a field missing or of the wrong type):
 * nothing was sent. The account's trouble, so a bot with a failover account sends through it.
 */
export function configInvalid(reason: string): SendFailure {
  return { ok: false, failure: 'account', code: 'CONFIG_INVALID', reason, refused: true };
}
