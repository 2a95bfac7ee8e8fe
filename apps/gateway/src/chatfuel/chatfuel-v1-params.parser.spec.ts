import { errorOf } from '../testing/error-of.js';
import {
  MAX_ATTRIBUTES,
  MESSAGING_TAGS,
  parseChatfuelV1Params,
} from './chatfuel-v1-params.parser.js';

describe('parseChatfuelV1Params', () => {
  it('reads the seed URL: token, block name, attributes and a quoted messaging tag', () => {
    const parsed = parseChatfuelV1Params(
      {
        bot_token: 't1',
        block_name: 'Welcome back',
        first_name: 'Ada',
        plan: 'gold',
        messaging_tag: '"CONFIRMED_EVENT_UPDATE"',
      },
      undefined,
    );
    expect(parsed).toEqual({
      token: 't1',
      blockName: 'Welcome back',
      messagingTag: 'CONFIRMED_EVENT_UPDATE',
      attributes: { first_name: 'Ada', plan: 'gold' },
    });
  });

  it('takes the same parameters from a JSON body, numbers and booleans as text', () => {
    const parsed = parseChatfuelV1Params(
      {},
      { bot_token: 't1', block_id: 'b-1', age: 36, vip: true, messaging_tag: 'account_update' },
    );
    expect(parsed).toEqual({
      token: 't1',
      blockId: 'b-1',
      messagingTag: 'ACCOUNT_UPDATE',
      attributes: { age: '36', vip: 'true' },
    });
  });

  it("accepts Chatfuel's own names as aliases", () => {
    const parsed = parseChatfuelV1Params(
      { chatfuel_token: 't1', chatfuel_block_name: 'Welcome', chatfuel_message_tag: 'HUMAN_AGENT' },
      undefined,
    );
    expect(parsed).toEqual({
      token: 't1',
      blockName: 'Welcome',
      messagingTag: 'HUMAN_AGENT',
      attributes: {},
    });
    expect(parseChatfuelV1Params({ chatfuel_block_id: 'b-1' }, undefined).blockId).toBe('b-1');
  });

  it('refuses any other chatfuel_ parameter as reserved, naming it', () => {
    const error = errorOf(() =>
      parseChatfuelV1Params({ bot_token: 't', chatfuel_user_id: '1' }, undefined),
    );
    expect(error.field).toBe('chatfuel_user_id');
    expect(error.message).toContain('reserved');
    expect(errorOf(() => parseChatfuelV1Params({}, { Chatfuel_Foo: 'x' })).field).toBe(
      'Chatfuel_Foo',
    );
  });

  it.each(MESSAGING_TAGS)('accepts the tag %s', (tag) => {
    expect(parseChatfuelV1Params({ messaging_tag: tag }, undefined).messagingTag).toBe(tag);
  });

  it('refuses another tag, listing the valid ones', () => {
    const error = errorOf(() =>
      parseChatfuelV1Params({ messaging_tag: 'SHIPPING_UPDATE' }, undefined),
    );
    expect(error.field).toBe('messaging_tag');
    for (const tag of MESSAGING_TAGS) expect(error.fix).toContain(tag);
  });

  it('refuses conflicting duplicates, both block kinds, repeated query parameters and nested values', () => {
    expect(
      errorOf(() => parseChatfuelV1Params({ bot_token: 'a' }, { chatfuel_token: 'b' })).field,
    ).toBe('chatfuel_token');
    expect(parseChatfuelV1Params({ bot_token: 'a' }, { chatfuel_token: 'a' }).token).toBe('a');
    expect(
      errorOf(() => parseChatfuelV1Params({ block_name: 'a', block_id: 'b' }, undefined)).message,
    ).toBe('Give block_name or block_id, not both.');
    expect(errorOf(() => parseChatfuelV1Params({ plan: ['a', 'b'] }, undefined)).field).toBe(
      'plan',
    );
    expect(errorOf(() => parseChatfuelV1Params({}, { plan: { a: 1 } })).field).toBe('plan');
    expect(errorOf(() => parseChatfuelV1Params({}, [1])).field).toBe('body');
    expect(errorOf(() => parseChatfuelV1Params({ block_name: ' ' }, undefined)).field).toBe(
      'block_name',
    );
  });

  it(`caps attributes at ${MAX_ATTRIBUTES} and their sizes`, () => {
    const many = Object.fromEntries(
      Array.from({ length: MAX_ATTRIBUTES + 1 }, (_, i) => [`a${i}`, 'x']),
    );
    expect(errorOf(() => parseChatfuelV1Params(many, undefined)).field).toBe('attributes');
    expect(
      errorOf(() => parseChatfuelV1Params({ ['n'.repeat(129)]: 'x' }, undefined)).message,
    ).toContain('Attribute names');
    expect(errorOf(() => parseChatfuelV1Params({ note: 'x'.repeat(4097) }, undefined)).field).toBe(
      'note',
    );
  });
});
