import 'reflect-metadata';
import { DeliveryConfig, startDelivery } from '@herald/delivery-core';
import { loadConfig } from '@herald/runtime';
import { messengerChannel } from './messenger.channel.js';

await startDelivery(messengerChannel, loadConfig(DeliveryConfig, { PORT: '3005', ...process.env }));
