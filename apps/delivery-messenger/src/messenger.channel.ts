import {
  MessengerSendSender,
  accountRate,
  configText,
  messengerPolicy,
  type DeliveryChannelDefinition,
} from '@herald/delivery-core';

/** Send API: 300 calls/s per Page for text. */
const DEFAULT_MPS = 300;

export const messengerChannel: DeliveryChannelDefinition = {
  channel: 'messenger',
  sender: (config) => new MessengerSendSender(config.PROVIDER_TIMEOUT_MS),
  policy: messengerPolicy,
  accountKey: (account) => `messenger:${configText(account, 'pageId') || account.id}`,
  pacing: (account) => [
    {
      key: `messenger:${configText(account, 'pageId') || account.id}`,
      rate: accountRate(account, DEFAULT_MPS),
      shared: true,
    },
  ],
};
