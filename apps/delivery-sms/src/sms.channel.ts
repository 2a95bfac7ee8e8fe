// The SMS delivery app's channel: its Twilio sender, its rules and its pacing scopes.
import { accountRate, configText, type DeliveryChannelDefinition } from '@herald/delivery-core';
import { smsPolicy } from './sms.policy.js';
import { TwilioMessagesSender } from './twilio-messages.sender.js';

/**
 * Messages per second per sender when the channel config sets no `messagesPerSecond`. Twilio's
 * own limits depend on the sender (long code 1, toll-free 3, short code 100+): set yours.
 */
const DEFAULT_MPS = 10;

const senderOf = (account: Parameters<DeliveryChannelDefinition['accountKey']>[0]) =>
  `sms:${configText(account, 'accountSid')}:${configText(account, 'messagingServiceSid') || configText(account, 'from') || account.id}`;

export const smsChannel: DeliveryChannelDefinition = {
  channel: 'sms',
  sender: (config) => new TwilioMessagesSender(config.PROVIDER_TIMEOUT_MS),
  policy: smsPolicy,
  // One breaker per Twilio account: its concurrency limit and outages are account-wide.
  accountKey: (account) => `sms:${configText(account, 'accountSid') || account.id}`,
  pacing: (account) => [
    { key: senderOf(account), rate: accountRate(account, DEFAULT_MPS), shared: true },
  ],
  // Twilio 21211 (invalid number), 21614 (cannot receive SMS), 30003 (unreachable), 30005
  // (unknown), 30006 (landline), and a number SMS cannot address. A STOP (21610) is the
  // person's choice, never routed around.
  notHere: new Set(['21211', '21614', '30003', '30005', '30006', 'INVALID_RECIPIENT']),
};
