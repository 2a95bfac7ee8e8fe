import type { DeliveryRequested } from '@herald/contracts';
import type { ChannelAccount } from '@herald/persistence';
import { whatsappPolicy } from './whatsapp.policy.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW - h * 3_600_000).toISOString();

const account = (config: Record<string, unknown>): ChannelAccount => ({
  id: 'c1',
  botId: 'b1',
  type: 'whatsapp',
  config,
  credentials: {},
});
const enforced = account({ baseUrl: 'http://127.0.0.1:3999', enforceCustomerServiceWindow: true });
const meta = account({ baseUrl: 'https://graph.facebook.com' });
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

describe('whatsappPolicy', () => {
  it('allows text within 24 hours of the last inbound message, and templates any time', () => {
    expect(
      whatsappPolicy.check(request({ lastInboundAt: hoursAgo(23) }), text, enforced, NOW),
    ).toBeNull();
    expect(whatsappPolicy.check(request(), template, enforced, NOW)).toBeNull();
  });

  it('refuses text outside the window, or to someone who never wrote, naming the fix', () => {
    expect(whatsappPolicy.check(request({ lastInboundAt: hoursAgo(25) }), text, meta, NOW)).toEqual(
      {
        code: 'WINDOW_CLOSED',
        reason: expect.stringMatching(/last wrote 25 hours ago.*send an approved template/),
      },
    );
    expect(whatsappPolicy.check(request(), text, enforced, NOW)?.reason).toMatch(
      /has never written/,
    );
  });

  it('does not enforce the window where the channel does not', () => {
    expect(whatsappPolicy.check(request(), text, sandbox, NOW)).toBeNull();
  });

  it('refuses an address that is not a phone number', () => {
    expect(whatsappPolicy.check(request({ to: 'ada@example.com' }), text, sandbox, NOW)?.code).toBe(
      'INVALID_RECIPIENT',
    );
  });
});
