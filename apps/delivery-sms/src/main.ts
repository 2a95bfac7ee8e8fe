import 'reflect-metadata';
import { DeliveryConfig, startDelivery } from '@herald/delivery-core';
import { loadConfig } from '@herald/runtime';
import { smsChannel } from './sms.channel.js';

await startDelivery(smsChannel, loadConfig(DeliveryConfig, { PORT: '3004', ...process.env }));
