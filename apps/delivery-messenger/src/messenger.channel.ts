// The Messenger delivery app's channel: its Send API sender, its rules and its pacing scopes.
import { accountRate, configText, type DeliveryChannelDefinition } from '@herald/delivery-core';
import { MessengerSendSender } from './messenger-send.sender.js';
import { messengerPolicy } from './messenger.policy.js';

/** Send API: 300 calls/s per Page for text. */
const DEFAULT_MPS = 300;

export const messengerChannel: DeliveryChannelDefinition = {
  channel: 'messenger',
  sender: (config, metrics) =>
    new MessengerSendSender(config.PROVIDER_TIMEOUT_MS, config.GRAPH_BATCH_MAX, (operations) =>
      metrics.graphRequest(operations),
    ),
  policy: messengerPolicy,
  accountKey: (account) => `messenger:${configText(account, 'pageId') || account.id}`,
  pacing: (account) => [
    {
      key: `messenger:${configText(account, 'pageId') || account.id}`,
      rate: accountRate(account, DEFAULT_MPS),
      shared: true,
    },
  ],
  // Messenger ids are not phone numbers: nothing to reach them by elsewhere.
  notHere: new Set(),
};
