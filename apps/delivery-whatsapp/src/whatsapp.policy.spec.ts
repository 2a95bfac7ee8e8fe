import {
  NOW,
  account,
  enforced,
  hoursAgo,
  request,
  sandbox,
  template,
  text,
} from '@herald/testing/policy-fixtures';
import { whatsappPolicy } from './whatsapp.policy.js';

const meta = account({ baseUrl: 'https://graph.facebook.com' });

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
