import type { Channel } from '@herald/contracts';
import type { ContactEntity } from '@herald/persistence';
import { personOf, pickConversation } from './pick-conversation.js';

let n = 0;
function contact(
  channel: Channel,
  userId: string,
  extra: Partial<ContactEntity> = {},
): ContactEntity {
  n += 1;
  return {
    id: `c${n}`,
    botId: 'b',
    channel,
    userId,
    phone: channel === 'messenger' ? null : userId,
    email: null,
    fbid: channel === 'messenger' ? userId : null,
    variables: {},
    firstSeen: new Date(0),
    lastSeen: new Date(0),
    lastInboundAt: null,
    optedOutAt: null,
    ...extra,
  };
}

const wa = contact('whatsapp', '+15551230001', { email: 'ada@example.com' });
const sms = contact('sms', '+15551230001');
const fb = contact('messenger', '990001');
const all = [wa, sms, fb];

describe('pickConversation', () => {
  it('on a named channel, takes the contact of the user id before one of the phone (legacy set_conversation)', () => {
    const byUserId = contact('whatsapp', 'wa-user-7', { phone: '+15551239999' });
    // More recently active, so only the order of lookups can pick the other one.
    const byPhone = contact('whatsapp', '+15551230077', { lastInboundAt: new Date(1_000) });
    const target = { userId: 'wa-user-7', phone: '+15551230077', channel: 'whatsapp' as const };
    expect(pickConversation(target, [byPhone, byUserId], {})).toEqual({ contact: byUserId });
    expect(pickConversation({ ...target, userId: 'wa-user-8' }, [byPhone, byUserId], {})).toEqual({
      contact: byPhone,
    });
  });

  it('reaches the contact on the named channel by user id, or by the phone it is on WhatsApp and SMS', () => {
    expect(pickConversation({ userId: '+15551230001', channel: 'sms' }, all, {})).toEqual({
      contact: sms,
    });
    expect(pickConversation({ userId: '15551230001', channel: 'whatsapp' }, all, {})).toEqual({
      contact: wa,
    });
    expect(pickConversation({ phone: '+1 555 123 0001', channel: 'whatsapp' }, all, {})).toEqual({
      contact: wa,
    });
  });

  it('creates on the named channel when the target may, else says why not', () => {
    expect(
      pickConversation({ userId: '+15559990000', channel: 'sms', create: true }, all, { a: '1' }),
    ).toEqual({
      create: {
        channel: 'sms',
        userId: '+15559990000',
        phone: '+15559990000',
        email: undefined,
        fbid: undefined,
        variables: { a: '1' },
      },
    });
    expect(pickConversation({ userId: '+15559990000', channel: 'sms' }, all, {})).toEqual({
      none: expect.stringContaining('cannot create'),
    });
  });

  it('follows the V2 priority: fbid → Messenger, phone → WhatsApp before SMS, email → the contact carrying it', () => {
    const target = { phone: '+15551230001', fbid: '990001', email: 'ADA@example.com' };
    expect(pickConversation(target, all, {}, ['fbid', 'phone'])).toEqual({ contact: fb });
    expect(pickConversation(target, all, {}, ['phone', 'fbid'])).toEqual({ contact: wa });
    expect(pickConversation(target, [sms, fb], {}, ['phone'])).toEqual({ contact: sms });
    expect(pickConversation({ email: 'ada@example.com' }, all, {}, ['email'])).toEqual({
      contact: wa,
    });
  });

  it('takes the first identity that reaches a channel the bot has enabled, else the first that reaches any', () => {
    const target = { phone: '+15551230001', fbid: '990001' };
    // Messenger not enabled: the phone's conversation, WhatsApp before SMS among those enabled.
    expect(pickConversation(target, all, {}, undefined, new Set(['whatsapp', 'sms']))).toEqual({
      contact: wa,
    });
    expect(pickConversation(target, all, {}, undefined, new Set(['sms']))).toEqual({
      contact: sms,
    });
    // Messenger enabled: the default priority's first identity, the fbid.
    expect(
      pickConversation(target, all, {}, undefined, new Set(['messenger', 'whatsapp'])),
    ).toEqual({ contact: fb });
    // Nothing the person has is enabled: the old pick, whose delivery then says why it failed.
    expect(pickConversation(target, all, {}, undefined, new Set())).toEqual({ contact: fb });
    // A new conversation is created on an enabled channel only when one is reachable there.
    expect(
      pickConversation(
        { fbid: '990777', phone: '+15551230777', channel: 'sms', create: true },
        [],
        {},
        ['fbid', 'phone'],
        new Set(['sms']),
      ),
    ).toEqual({ create: expect.objectContaining({ channel: 'sms', userId: '+15551230777' }) });
  });

  it('skips an identity that reaches nothing and tries the next one', () => {
    expect(
      pickConversation({ fbid: '990999', phone: '+15551230001' }, all, {}, ['fbid', 'phone']),
    ).toEqual({ contact: wa });
    expect(pickConversation({ email: 'nobody@example.com' }, all, {}, ['email'])).toEqual({
      none: expect.stringContaining('by email'),
    });
  });

  it('prefers the conversation the person wrote in last', () => {
    const recent = contact('whatsapp', '+15551230002', {
      phone: '+15551230001',
      lastInboundAt: new Date(),
    });
    expect(pickConversation({ phone: '+15551230001' }, [...all, recent], {}, ['phone'])).toEqual({
      contact: recent,
    });
  });

  it('reaches a contact by its customer id when no identity in the priority does', () => {
    const crm = contact('sms', 'crm-42', { phone: null });
    expect(
      pickConversation({ userId: 'crm-42', email: 'x@example.com' }, [...all, crm], {}, ['email']),
    ).toEqual({ contact: crm });
  });

  it('finds the person by any identity', () => {
    expect(personOf({ email: 'ada@EXAMPLE.com', fbid: '990001' }, all)).toEqual([wa, fb]);
  });
});

describe('From-API uids written as numbers (issue 13)', () => {
  it('reach the WhatsApp contact whose E.164 phone they name, however the uid is written', () => {
    const person = contact('whatsapp', '15557770001', { phone: '+15557770001' });
    const messenger = contact('messenger', '2411000000000009');
    const target = {
      userId: '+1 (555) 777-0001',
      phone: '+15557770001',
      message: 'hi',
      create: false,
    };
    expect(pickConversation(target, [person, messenger], {})).toEqual({ contact: person });
    // A Messenger id stays a user id.
    expect(
      pickConversation(
        { userId: '2411000000000009', message: 'hi', create: false },
        [person, messenger],
        {},
      ),
    ).toEqual({ contact: messenger });
  });
});
