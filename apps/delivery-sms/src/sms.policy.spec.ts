import { NOW, request, sandbox, template, text } from '@herald/testing/policy-fixtures';
import { smsPolicy } from './sms.policy.js';

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
