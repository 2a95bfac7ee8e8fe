// What the channel policy specs of the three delivery apps share: a fixed clock, a provider
// account with a given config, a one-person request, and a text and a template message.
import type { DeliveryRequested } from '@herald/contracts';
import type { ChannelAccount } from '@herald/persistence';

export const NOW = Date.parse('2026-11-21T12:00:00Z');
export const hoursAgo = (h: number) => new Date(NOW - h * 3_600_000).toISOString();

export const account = (config: Record<string, unknown>): ChannelAccount => ({
  id: 'c1',
  botId: 'b1',
  type: 'whatsapp',
  config,
  credentials: {},
});
export const enforced = account({
  baseUrl: 'http://127.0.0.1:3999',
  enforceCustomerServiceWindow: true,
});
export const sandbox = account({
  baseUrl: 'http://127.0.0.1:3999',
  enforceCustomerServiceWindow: false,
});

export const request = (overrides: Partial<DeliveryRequested> = {}): DeliveryRequested => ({
  runId: 'r',
  botId: 'b',
  contactId: 'c',
  channel: 'whatsapp',
  to: '+15551234567',
  messages: [{ text: 'hi' }],
  variables: {},
  attempt: 0,
  ...overrides,
});

export const text = { text: 'hi' };
export const template = { template: { name: 'order_update', language: { code: 'en_US' } } };
