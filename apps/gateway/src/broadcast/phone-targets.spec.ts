import { HeraldError } from '@herald/errors';
import { normalizePhoneTargets } from './phone-targets.js';

describe('normalizePhoneTargets', () => {
  it('turns every form of one number into the same target', () => {
    const forms = ['15551234567', '+15551234567', '+1 (555) 123-4567', '001 555 123 4567'];
    const targets = normalizePhoneTargets(
      forms.map((userId) => ({ userId, channel: 'sms' as const })),
      'hook',
      undefined,
    );
    expect(new Set(targets.map((t) => JSON.stringify(t)))).toEqual(
      new Set([JSON.stringify({ userId: '+15551234567', channel: 'sms', phone: '+15551234567' })]),
    );
  });

  it('reads national numbers in the bot default country', () => {
    expect(normalizePhoneTargets([{ phone: '(555) 123-4567' }], 'chatfuel-v2', 'US')).toEqual([
      { phone: '+15551234567' },
    ]);
  });

  it.each([
    ['hook', { userId: 'ada', channel: 'whatsapp' as const }, 'targets[1].user_id'],
    ['hook', { phone: '12', channel: 'whatsapp' as const }, 'targets[1].user_phone_number'],
    ['chatfuel-v2', { phone: 'call me' }, 'customer_phone'],
    ['csml', { userId: 'nobody', channel: 'sms' as const }, 'client.user_id'],
  ])('%s: refuses an unusable number naming %p', (source, bad, field) => {
    let error: unknown;
    try {
      normalizePhoneTargets([{ userId: '15551234567', channel: 'sms' }, bad], source, undefined);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HeraldError);
    expect(error).toMatchObject({ field, message: expect.stringContaining(field) });
  });
});
