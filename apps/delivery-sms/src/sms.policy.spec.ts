import type { DeliveryRequested } from '@herald/contracts';
import type { ChannelAccount } from '@herald/persistence';
import { smsPolicy } from './sms.policy.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');

const account = (config: Record<string, unknown>): ChannelAccount => ({
  id: 'c1',
  botId: 'b1',
  type: 'whatsapp',
  config,
  credentials: {},
});
const sandbox = account({ baseUrl: 'http://127.0.0.1:3999', enforceCustomerServiceWindow: false });

const request = (overrides: Partial<DeliveryRequested> = {}): DeliveryRequested => ({
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

const text = { text: 'hi' };
const template = { template: { name: 'order_update', language: { code: 'en_US' } } };

describe('smsPolicy', () => {
  const s = (to: string) => request({ channel: 'sms', to });

  it('wants E.164 numbers, text, and at most 1600 characters', () => {
    expect(smsPolicy.check(s('+15551234567'), text, sandbox, NOW)).toBeNull();
    expect(smsPolicy.check(s('15551234567'), text, sandbox, NOW)?.code).toBe('INVALID_RECIPIENT');
    expect(smsPolicy.check(s('+15551234567'), template, sandbox, NOW)?.code).toBe('UNSUPPORTED');
    expect(smsPolicy.check(s('+15551234567'), { text: 'x'.repeat(1601) }, sandbox, NOW)?.code).toBe(
      'TOO_LONG',
    );
  });
});
