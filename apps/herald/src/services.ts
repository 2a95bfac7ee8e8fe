// The registry of Herald's services, so one process can host any set of them (the local
// all-in-one mode). Each keeps its own Nest application, Kafka clients and consumer groups:
// they still talk only through Kafka.
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@herald/runtime';
import { DeliveryConfig, startDelivery } from '@herald/delivery-core';
import { startAudience } from '../../audience/src/audience.app.js';
import { AudienceConfig } from '../../audience/src/audience.config.js';
import { startContact } from '../../contact/src/contact.app.js';
import { ContactConfig } from '../../contact/src/contact.config.js';
import { messengerChannel } from '../../delivery-messenger/src/messenger.channel.js';
import { smsChannel } from '../../delivery-sms/src/sms.channel.js';
import { whatsappChannel } from '../../delivery-whatsapp/src/whatsapp.channel.js';
import { WhatsAppDeliveryConfig } from '../../delivery-whatsapp/src/whatsapp-delivery.config.js';
import { startGateway } from '../../gateway/src/gateway.app.js';
import { GatewayConfig } from '../../gateway/src/gateway.config.js';

export type Env = NodeJS.ProcessEnv;

export const SERVICES = {
  gateway: (env: Env) => startGateway(loadConfig(GatewayConfig, env)),
  audience: (env: Env) => startAudience(loadConfig(AudienceConfig, { PORT: '3001', ...env })),
  contact: (env: Env) => startContact(loadConfig(ContactConfig, { PORT: '3002', ...env })),
  'delivery-whatsapp': (env: Env) =>
    startDelivery(whatsappChannel, loadConfig(WhatsAppDeliveryConfig, { PORT: '3003', ...env })),
  'delivery-sms': (env: Env) =>
    startDelivery(smsChannel, loadConfig(DeliveryConfig, { PORT: '3004', ...env })),
  'delivery-messenger': (env: Env) =>
    startDelivery(messengerChannel, loadConfig(DeliveryConfig, { PORT: '3005', ...env })),
} satisfies Record<string, (env: Env) => Promise<INestApplication>>;

export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/**
 * Starts the named services in one process. A single service takes PORT from the environment;
 * several keep their default ports unless `ports` gives one per service.
 */
export async function startServices(
  names: ServiceName[],
  env: Env,
  ports: Partial<Record<ServiceName, number>> = {},
): Promise<Map<ServiceName, INestApplication>> {
  const apps = new Map<ServiceName, INestApplication>();
  try {
    // Consumers first, gateway last: when the gateway answers, the pipeline is listening.
    for (const name of [...names].sort(
      (a, b) => Number(a === 'gateway') - Number(b === 'gateway'),
    )) {
      // One PORT cannot serve several services: in one process each keeps its default.
      const { PORT, ...rest } = env;
      const port = ports[name] ?? (names.length === 1 && PORT ? Number(PORT) : undefined);
      apps.set(
        name,
        await SERVICES[name]({ ...rest, ...(port !== undefined ? { PORT: String(port) } : {}) }),
      );
    }
  } catch (error) {
    await stopServices(apps);
    throw error;
  }
  return apps;
}

export async function stopServices(apps: Map<ServiceName, INestApplication>): Promise<void> {
  // The gateway first (stop accepting), then the pipeline in order.
  for (const app of [...apps.values()].reverse()) await app.close();
}
