import 'reflect-metadata';
import { DeliveryConfig, startDelivery } from '@herald/delivery-core';
import { loadConfig } from '@herald/runtime';
import { whatsappChannel } from './whatsapp.channel.js';

await startDelivery(whatsappChannel, loadConfig(DeliveryConfig, { PORT: '3003', ...process.env }));
