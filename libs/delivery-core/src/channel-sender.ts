import type { Message } from '@herald/contracts';
import type { ChannelAccount } from '@herald/persistence';

export interface OutboundMessage {
  to: string;
  message: Message;
  messagingTag?: string;
  notificationMessagesToken?: string;
  oneTimeNotifToken?: string;
}

export type SendFailure = {
  ok: false;
  /** Another attempt later may succeed (throttling, provider trouble). */
  retriable: boolean;
  /**
   * The failure says the provider account is in trouble (timeouts, 5xx, throughput limits), not
   * this recipient: it counts against the account's breaker. Per-recipient 4xx errors do not.
   */
  tripsBreaker: boolean;
  code: string;
  reason: string;
};

export type SendOutcome =
  { ok: true; providerMessageId: string | null; segments?: number } | SendFailure;

/** One adapter per provider; breakers, pacing and retries wrap `send` in the core, once. */
export interface ChannelSender {
  send(account: ChannelAccount, outbound: OutboundMessage): Promise<SendOutcome>;
}

export const CHANNEL_SENDER = Symbol('CHANNEL_SENDER');

/** Templates are a WhatsApp feature: other channels refuse them for good. */
export function templateNotSupported(how: string): SendFailure {
  return {
    ok: false,
    retriable: false,
    tripsBreaker: false,
    code: 'UNSUPPORTED',
    reason: `WhatsApp templates cannot be sent ${how}; give this broadcast a text message`,
  };
}
