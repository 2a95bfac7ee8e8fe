import { describe, expect, it } from '@jest/globals';
import { normalizeTarget, normalizeTargets, sharedVariables } from './target.normalizer.js';

describe('target normalisation', () => {
  it('on WhatsApp and SMS the phone number is the user id, and the contact may be created', () => {
    expect(normalizeTarget({ phone: '+15550001', channel: 'sms' })).toEqual({
      userId: '+15550001',
      phone: '+15550001',
      channel: 'sms',
      create: true,
    });
  });

  it('creates only with a channel and a user id; respects an explicit create: false', () => {
    expect(normalizeTarget({ phone: '+15550001', channel: 'messenger', create: true }).create).toBe(
      false,
    );
    expect(normalizeTarget({ userId: 'psid-1', create: true }).create).toBe(false);
    expect(normalizeTarget({ userId: 'psid-1', channel: 'messenger' }).create).toBe(true);
    expect(normalizeTarget({ userId: 'psid-1', channel: 'messenger', create: false }).create).toBe(
      false,
    );
    expect(normalizeTarget({ contactId: '2f1c1a4e-7d0b-4f7e-9a55-2d7c7c0c6f00' })).toEqual({
      contactId: '2f1c1a4e-7d0b-4f7e-9a55-2d7c7c0c6f00',
      create: false,
    });
  });

  it('lifts email and fbid out of the variables and drops identity names', () => {
    expect(
      normalizeTarget({
        userId: 'u',
        channel: 'whatsapp',
        variables: {
          email: 'a@b.c',
          fbid: '9',
          user_id: 'u',
          bot_channel: 'whatsapp',
          user_phone_number: '1',
          name: 'Ada',
        },
      }),
    ).toEqual({
      userId: 'u',
      email: 'a@b.c',
      fbid: '9',
      channel: 'whatsapp',
      variables: { name: 'Ada' },
      create: true,
    });
  });

  it('keeps each person once, the first mention winning', () => {
    const out = normalizeTargets([
      { userId: '1', channel: 'sms', variables: { n: 'first' } },
      { phone: '1', channel: 'sms', variables: { n: 'second' } },
      { userId: '1', channel: 'whatsapp' },
      { phone: '+44', channel: 'messenger' },
      { phone: '+44', channel: 'messenger' },
    ]);
    expect(out.map((t) => [t.userId ?? t.phone, t.channel, t.variables?.n])).toEqual([
      ['1', 'sms', 'first'],
      ['1', 'whatsapp', undefined],
      ['+44', 'messenger', undefined],
    ]);
  });

  it('run-level variables never carry identity names', () => {
    expect(sharedVariables({ user_id: 'x', bot_channel: 'sms', color: 'red' })).toEqual({
      color: 'red',
    });
    expect(sharedVariables({ user_id: 'x' })).toBeUndefined();
  });
});
