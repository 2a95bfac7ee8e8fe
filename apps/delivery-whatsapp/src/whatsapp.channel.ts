// The WhatsApp delivery app's channel: its Cloud API sender, its rules and its pacing scopes.
import {
  accountRate,
  configText,
  type DeliveryChannelDefinition,
  type PaceScope,
} from '@herald/delivery-core';
import { WhatsAppCloudSender } from './whatsapp-cloud.sender.js';
import type { WhatsAppDeliveryConfig } from './whatsapp-delivery.config.js';
import { whatsappPolicy } from './whatsapp.policy.js';

/** Cloud API throughput per phone number: 80 msg/s by default, up to 1,000 after Meta's upgrade. */
const DEFAULT_MPS = 80;
const MAX_MPS = 1_000;

export const whatsappChannel: DeliveryChannelDefinition<WhatsAppDeliveryConfig> = {
  channel: 'whatsapp',
  sender: (config) => new WhatsAppCloudSender(config.PROVIDER_TIMEOUT_MS),
  policy: whatsappPolicy,
  accountKey: (account) => `whatsapp:${configText(account, 'phoneNumberId') || account.id}`,
  pacing: (account, to, config) => {
    const number = configText(account, 'phoneNumberId') || account.id;
    const scopes: PaceScope[] = [
      {
        key: `whatsapp:${number}`,
        rate: accountRate(account, DEFAULT_MPS, MAX_MPS),
        shared: true,
      },
    ];
    // The (business, consumer) pair limit: about one message per 6 s to the same person.
    if (config.WHATSAPP_PAIR_INTERVAL_MS > 0) {
      scopes.push({
        key: `whatsapp:${number}:${to.replace(/\D/g, '')}`,
        rate: {
          perSecond: 1000 / config.WHATSAPP_PAIR_INTERVAL_MS,
          burst: config.WHATSAPP_PAIR_BURST,
        },
      });
    }
    return scopes;
  },
  // 131026 (not a WhatsApp user, or cannot receive), 131047 and the rule WINDOW_CLOSED (the
  // 24-hour window is closed and no template was given), 131030 (not an allowed recipient), and
  // a number WhatsApp cannot address.
  notHere: new Set(['131026', '131047', '131030', 'WINDOW_CLOSED', 'INVALID_RECIPIENT']),
};
