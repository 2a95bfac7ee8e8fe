import type { DeliveryRequested } from '@herald/contracts';
import {
  NOW,
  enforced,
  hoursAgo,
  request,
  sandbox,
  template,
  text,
} from '@herald/testing/policy-fixtures';
import { messengerPolicy } from './messenger.policy.js';

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
