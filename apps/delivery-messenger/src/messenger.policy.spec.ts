import type { DeliveryRequested } from '@herald/contracts';
import type { ChannelAccount } from '@herald/persistence';
import { messengerPolicy } from './messenger.policy.js';

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

describe('messengerPolicy', () => {
  const m = (overrides: Partial<DeliveryRequested> = {}) =>
    request({ channel: 'messenger', to: '990001', ...overrides });

  it('allows text within the window without a tag', () => {
    expect(
      messengerPolicy.check(m({ lastInboundAt: hoursAgo(2) }), text, enforced, NOW),
    ).toBeNull();
  });

  it('outside the window needs a valid tag or a notification token', () => {
    expect(messengerPolicy.check(m(), text, enforced, NOW)?.code).toBe('WINDOW_CLOSED');
    expect(
      messengerPolicy.check(m({ messagingTag: 'POST_PURCHASE_UPDATE' }), text, enforced, NOW),
    ).toBeNull();
    expect(
      messengerPolicy.check(m({ notificationMessagesToken: 't' }), text, enforced, NOW),
    ).toBeNull();
    expect(messengerPolicy.check(m({ oneTimeNotifToken: 't' }), text, enforced, NOW)).toBeNull();
  });

  it('allows HUMAN_AGENT only within 7 days', () => {
    expect(
      messengerPolicy.check(
        m({ messagingTag: 'HUMAN_AGENT', lastInboundAt: hoursAgo(6 * 24) }),
        text,
        enforced,
        NOW,
      ),
    ).toBeNull();
    expect(
      messengerPolicy.check(
        m({ messagingTag: 'HUMAN_AGENT', lastInboundAt: hoursAgo(8 * 24) }),
        text,
        enforced,
        NOW,
      )?.reason,
    ).toMatch(/HUMAN_AGENT is only allowed within 7 days/);
  });

  it('refuses a retired or unknown tag, and templates, wherever it sends', () => {
    expect(
      messengerPolicy.check(m({ messagingTag: 'SHIPPING_UPDATE' }), text, sandbox, NOW)?.code,
    ).toBe('INVALID_TAG');
    expect(messengerPolicy.check(m(), template, sandbox, NOW)?.code).toBe('UNSUPPORTED');
  });
});
