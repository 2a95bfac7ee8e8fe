import { errorOf } from '../testing/error-of.js';
import { parseChatfuelV2Body } from './chatfuel-v2-body.parser.js';

describe('parseChatfuelV2Body', () => {
  it('takes every identifier, a block, both tokens and a priority (the seed body)', () => {
    const parsed = parseChatfuelV2Body({
      customer_id: 'crm-42',
      customer_email: 'ada@example.com',
      customer_phone: '+15551234567',
      customer_fbid: '2411',
      block_id: 'welcome',
      notification_messages_token: 'token NTN',
      one_time_notif_token: 'token OTN',
      priority: ['phone', 'fbid'],
    });
    expect(parsed).toEqual({
      customer: { userId: 'crm-42', email: 'ada@example.com', phone: '+15551234567', fbid: '2411' },
      blockId: 'welcome',
      notificationMessagesToken: 'token NTN',
      oneTimeNotifToken: 'token OTN',
      priority: ['phone', 'fbid'],
    });
  });

  it('takes messages instead of a block, and defaults the priority to fbid, phone, email', () => {
    const parsed = parseChatfuelV2Body({
      customer_phone: '+15551234567',
      messages: [{ text: 'Noi dung tin nhan' }],
    });
    expect(parsed).toEqual({
      customer: { phone: '+15551234567' },
      messages: [{ text: 'Noi dung tin nhan' }],
      priority: ['fbid', 'phone', 'email'],
    });
  });

  it('needs at least one identifier', () => {
    const error = errorOf(() =>
      parseChatfuelV2Body({ messages: [{ text: 'x' }], customer_email: ' ' }),
    );
    expect(error.field).toBe('customer_id');
    expect(error.message).toContain('at least one');
  });

  it('needs exactly one of block_id and messages', () => {
    expect(errorOf(() => parseChatfuelV2Body({ customer_id: '1' })).field).toBe('block_id');
    expect(
      errorOf(() =>
        parseChatfuelV2Body({ customer_id: '1', block_id: 'b', messages: [{ text: 'x' }] }),
      ).message,
    ).toBe('Give block_id or messages, not both.');
  });

  it('names the bad field', () => {
    expect(errorOf(() => parseChatfuelV2Body({ customer_id: '1', messages: [] })).field).toBe(
      'messages',
    );
    expect(
      errorOf(() => parseChatfuelV2Body({ customer_id: '1', messages: [{ txt: 'x' }] })).field,
    ).toContain('messages[0]');
    expect(
      errorOf(() => parseChatfuelV2Body({ customer_email: 'not-an-email', block_id: 'b' })).field,
    ).toBe('customer_email');
    expect(
      errorOf(() => parseChatfuelV2Body({ customer_phone: 'call me', block_id: 'b' })).field,
    ).toBe('customer_phone');
    expect(errorOf(() => parseChatfuelV2Body({ customer_id: { a: 1 }, block_id: 'b' })).field).toBe(
      'customer_id',
    );
    expect(
      errorOf(() => parseChatfuelV2Body({ customer_id: '1', block_id: 'b', priority: ['sms'] }))
        .field,
    ).toBe('priority');
    expect(
      errorOf(() =>
        parseChatfuelV2Body({ customer_id: '1', block_id: 'b', priority: ['fbid', 'fbid'] }),
      ).message,
    ).toContain('twice');
    expect(
      errorOf(() => parseChatfuelV2Body({ customer_id: '1', block_id: 'b', priority: 'fbid' }))
        .field,
    ).toBe('priority');
    expect(
      errorOf(() => parseChatfuelV2Body({ customer_id: '1', block_id: 'b', customer_name: 'Ada' })),
    ).toMatchObject({
      field: 'customer_name',
      message: 'Unknown field(s): customer_name.',
    });
    expect(errorOf(() => parseChatfuelV2Body([])).field).toBe('body');
    expect(errorOf(() => parseChatfuelV2Body(undefined)).field).toBe('body');
  });
});
