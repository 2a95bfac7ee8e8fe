import 'reflect-metadata';
import { startDelivery } from '@herald/delivery-core';
import { loadConfig } from '@herald/runtime';
import { whatsappChannel } from './whatsapp.channel.js';
import { WhatsAppDeliveryConfig } from './whatsapp-delivery.config.js';

await startDelivery(
  whatsappChannel,
  loadConfig(WhatsAppDeliveryConfig, { PORT: '3003', ...process.env }),
);
