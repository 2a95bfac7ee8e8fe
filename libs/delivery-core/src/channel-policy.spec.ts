import type { DeliveryRequested } from '@herald/contracts';
import type { ChannelAccount } from '@herald/persistence';
import { enforcesWindow } from '../channel-policy.js';
import { messengerPolicy } from './messenger.policy.js';
import { smsPolicy } from './sms.policy.js';
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

describe('enforcesWindow', () => {
  it("follows the account's enforceCustomerServiceWindow setting, on when it says nothing, whatever its URL", () => {
    expect(enforcesWindow(enforced)).toBe(true);
    expect(enforcesWindow(sandbox)).toBe(false);
    expect(enforcesWindow(meta)).toBe(true);
    expect(enforcesWindow(account({ baseUrl: 'http://127.0.0.1:3999' }))).toBe(true);
    expect(
      enforcesWindow(
        account({ baseUrl: 'https://graph.facebook.com', enforceCustomerServiceWindow: 'false' }),
      ),
    ).toBe(false);
    // The setting's earlier name is still read; the new one wins.
    expect(enforcesWindow(account({ enforceWindow: false }))).toBe(false);
    expect(
      enforcesWindow(account({ enforceWindow: false, enforceCustomerServiceWindow: true })),
    ).toBe(true);
  });
});

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
