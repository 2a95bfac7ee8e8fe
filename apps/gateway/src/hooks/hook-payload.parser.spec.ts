import { CRITERIA } from '@herald/contracts';
import { errorOf } from '../testing/error-of.js';
import { MAX_DELAY_MINUTES, MAX_TARGETS, parseHookBody } from './hook-payload.parser.js';

const strict = { requireValidFilter: true };
const loose = { requireValidFilter: false };

describe('parseHookBody: audience and values', () => {
  it('builds one filter and the variables to set (the seed example)', () => {
    const parsed = parseHookBody(
      {
        audience_filters: 'favorite_color',
        audience_criteria: 'Equals',
        audience_values: 'red',
        set_variables: 'new_favorite_color',
        set_variables_values: 'magenta',
      },
      strict,
    );
    expect(parsed).toEqual({
      audience: {
        filters: [{ field: 'favorite_color', criteria: 'Equals', value: 'red' }],
        joins: [],
      },
      setVariables: { new_favorite_color: 'magenta' },
    });
  });

  it('splits lists on ";", audience_filters also on ",", trims entries, and joins default to AND', () => {
    const parsed = parseHookBody(
      {
        audience_filters: 'user_id, favorite_color;age',
        audience_criteria: 'Equals; Equals;GreaterThan',
        audience_values: '3030391;red;30',
        set_variables: 'a;b',
        set_variables_values: '1;2',
      },
      strict,
    );
    expect(parsed.audience).toEqual({
      filters: [
        { field: 'user_id', criteria: 'Equals', value: '3030391' },
        { field: 'favorite_color', criteria: 'Equals', value: 'red' },
        { field: 'age', criteria: 'GreaterThan', value: '30' },
      ],
      joins: ['AND', 'AND'],
    });
    expect(parsed.setVariables).toEqual({ a: '1', b: '2' });
  });

  it('takes audience_join (any case), one entry between each pair', () => {
    const parsed = parseHookBody(
      {
        audience_filters: 'a;b;c',
        audience_criteria: 'Equals;Equals;Equals',
        audience_values: '1;2;3',
        audience_join: 'or;AND',
      },
      strict,
    );
    expect(parsed.audience?.joins).toEqual(['OR', 'AND']);
  });

  it('reads every criterion case-insensitively, and the seed\'s "Cointains" as Contains', () => {
    for (const criterion of CRITERIA) {
      for (const spelling of [criterion, criterion.toLowerCase(), criterion.toUpperCase()]) {
        const parsed = parseHookBody(
          { audience_filters: 'f', audience_criteria: spelling, audience_values: 'v' },
          strict,
        );
        expect(parsed.audience?.filters[0]?.criteria).toBe(criterion);
      }
    }
    const alias = parseHookBody(
      { audience_filters: 'f', audience_criteria: 'Cointains', audience_values: 'v' },
      strict,
    );
    expect(alias.audience?.filters[0]?.criteria).toBe('Contains');
  });

  it('accepts a number where a one-entry list is expected', () => {
    const parsed = parseHookBody(
      { audience_filters: 'user_id', audience_criteria: 'Equals', audience_values: 3030391 },
      strict,
    );
    expect(parsed.audience?.filters[0]?.value).toBe('3030391');
  });

  it('names the field whose count does not line up', () => {
    expect(
      errorOf(() =>
        parseHookBody(
          { audience_filters: 'a;b', audience_criteria: 'Equals', audience_values: '1;2' },
          strict,
        ),
      ),
    ).toMatchObject({
      field: 'audience_criteria',
      message: 'audience_criteria has 1 entries but audience_filters has 2',
    });
    expect(
      errorOf(() =>
        parseHookBody(
          { audience_filters: 'a;b', audience_criteria: 'Equals;Equals', audience_values: '1' },
          strict,
        ),
      ),
    ).toMatchObject({
      field: 'audience_values',
      message: 'audience_values has 1 entries but audience_filters has 2',
    });
    expect(
      errorOf(() =>
        parseHookBody(
          {
            audience_filters: 'a;b',
            audience_criteria: 'Equals;Equals',
            audience_values: '1;2',
            audience_join: 'AND;OR',
          },
          strict,
        ),
      ),
    ).toMatchObject({
      field: 'audience_join',
      message: expect.stringContaining('needs 1 entries'),
    });
    expect(
      errorOf(() => parseHookBody({ set_variables: 'a;b', set_variables_values: '1' }, strict)),
    ).toMatchObject({
      field: 'set_variables_values',
      message: 'set_variables_values has 1 entries but set_variables has 2',
    });
  });

  it('lists the valid criteria for an unknown one', () => {
    const error = errorOf(() =>
      parseHookBody(
        { audience_filters: 'a', audience_criteria: 'Like', audience_values: '1' },
        strict,
      ),
    );
    expect(error.field).toBe('audience_criteria');
    expect(error.message).toBe('"Like" is not a criterion');
    for (const criterion of CRITERIA) expect(error.fix).toContain(criterion);
  });

  it('refuses an empty field name, a bad join, missing criteria or values', () => {
    expect(
      errorOf(() =>
        parseHookBody(
          {
            audience_filters: 'a;;b',
            audience_criteria: 'Equals;Equals;Equals',
            audience_values: '1;2;3',
          },
          strict,
        ),
      ).field,
    ).toBe('audience_filters');
    expect(
      errorOf(() =>
        parseHookBody(
          { audience_filters: '', audience_criteria: 'Equals', audience_values: '1' },
          strict,
        ),
      ).field,
    ).toBe('audience_filters');
    expect(
      errorOf(() =>
        parseHookBody(
          {
            audience_filters: 'a;b',
            audience_criteria: 'Equals;Equals',
            audience_values: '1;2',
            audience_join: 'XOR',
          },
          strict,
        ),
      ),
    ).toMatchObject({ field: 'audience_join', message: '"XOR" is not AND or OR' });
    expect(errorOf(() => parseHookBody({ audience_filters: 'a' }, strict))).toMatchObject({
      field: 'audience_criteria',
    });
    expect(
      errorOf(() => parseHookBody({ audience_filters: 'a', audience_criteria: 'Equals' }, strict)),
    ).toMatchObject({ field: 'audience_values' });
    expect(
      errorOf(() =>
        parseHookBody(
          { audience_filters: { a: 1 }, audience_criteria: 'Equals', audience_values: '1' },
          strict,
        ),
      ).field,
    ).toBe('audience_filters');
    expect(
      errorOf(() => parseHookBody({ set_variables: ';x', set_variables_values: '1;2' }, strict))
        .field,
    ).toBe('set_variables');
    expect(errorOf(() => parseHookBody({ set_variables_values: '1' }, strict)).field).toBe(
      'set_variables',
    );
    expect(errorOf(() => parseHookBody({ set_variables: 'a' }, strict)).field).toBe(
      'set_variables_values',
    );
  });

  it('keeps the saved audience when only variables or a delay are given', () => {
    expect(parseHookBody({ set_variables: 'a', set_variables_values: '1' }, strict)).toEqual({
      setVariables: { a: '1' },
    });
    expect(parseHookBody({ delayminutes: 5 }, strict)).toEqual({ delayMinutes: 5 });
  });
});

describe('parseHookBody: targets', () => {
  it('creates each target on its channel with its own variables', () => {
    const parsed = parseHookBody(
      {
        targets: [
          {
            user_id: '15551234567',
            bot_channel: 'WhatsApp',
            first_name: 'Ada',
            age: 36,
            vip: true,
          },
          { user_phone_number: '+15557654321', bot_channel: 'sms' },
          { user_id: 'psid-1' },
        ],
      },
      strict,
    );
    expect(parsed.targets).toEqual([
      {
        userId: '15551234567',
        channel: 'whatsapp',
        variables: { first_name: 'Ada', age: '36', vip: 'true' },
        create: true,
      },
      { userId: '+15557654321', phone: '+15557654321', channel: 'sms', create: true },
      { userId: 'psid-1', create: false },
    ]);
  });

  it('applies set_variables to all targets and takes a delay', () => {
    const parsed = parseHookBody(
      {
        targets: [{ user_id: '1', bot_channel: 'sms' }],
        set_variables: 'campaign',
        set_variables_values: 'spring',
        delayminutes: '30',
      },
      strict,
    );
    expect(parsed).toMatchObject({ setVariables: { campaign: 'spring' }, delayMinutes: 30 });
  });

  it('names the target and field that is wrong', () => {
    expect(errorOf(() => parseHookBody({ targets: [] }, strict)).field).toBe('targets');
    expect(errorOf(() => parseHookBody({ targets: 'x' }, strict)).field).toBe('targets');
    expect(errorOf(() => parseHookBody({ targets: [{ user_id: '1' }, 7] }, strict)).field).toBe(
      'targets[1]',
    );
    expect(
      errorOf(() => parseHookBody({ targets: [{ bot_channel: 'sms', name: 'x' }] }, strict)),
    ).toMatchObject({
      field: 'targets[0].user_id',
      message: 'targets[0] needs user_id or user_phone_number',
    });
    expect(
      errorOf(() =>
        parseHookBody({ targets: [{ user_id: '1', bot_channel: 'telegram' }] }, strict),
      ),
    ).toMatchObject({
      field: 'targets[0].bot_channel',
      message: '"telegram" is not a channel',
    });
    expect(
      errorOf(() => parseHookBody({ targets: [{ user_id: 'x'.repeat(257) }] }, strict)).field,
    ).toBe('targets[0].user_id');
    expect(errorOf(() => parseHookBody({ targets: [{ user_id: { id: 1 } }] }, strict)).field).toBe(
      'targets[0].user_id',
    );
  });

  it(`caps a call at ${MAX_TARGETS} targets`, () => {
    const targets = Array.from({ length: MAX_TARGETS + 1 }, (_, i) => ({ user_id: String(i) }));
    expect(errorOf(() => parseHookBody({ targets }, strict)).message).toContain(
      String(MAX_TARGETS),
    );
  });
});

describe('parseHookBody: legacy set_conversation', () => {
  it('targets the conversation named in set_variables, creating it on bot_channel, with the rest as its variables', () => {
    const parsed = parseHookBody(
      {
        set_conversation: true,
        set_variables: 'user_id;bot_channel;user_phone_number;first_name',
        set_variables_values: '15551234567;whatsapp;+15551234567;Ada',
      },
      strict,
    );
    expect(parsed).toEqual({
      targets: [
        {
          userId: '15551234567',
          phone: '+15551234567',
          channel: 'whatsapp',
          variables: { first_name: 'Ada' },
          create: true,
        },
      ],
    });
  });

  it('ignores the audience filters, and needs set_variables', () => {
    const parsed = parseHookBody(
      {
        set_conversation: 'true',
        audience_filters: 'x',
        set_variables: 'user_phone_number',
        set_variables_values: '+1555',
      },
      strict,
    );
    expect(parsed.audience).toBeUndefined();
    expect(parsed.targets).toEqual([{ phone: '+1555', create: false }]);
    expect(errorOf(() => parseHookBody({ set_conversation: true }, strict)).field).toBe(
      'set_variables',
    );
  });
});

describe('parseHookBody: delayminutes', () => {
  it(`takes whole minutes from 0 to ${MAX_DELAY_MINUTES}, as numbers or digit strings`, () => {
    expect(parseHookBody({ delayminutes: 0 }, strict)).toEqual({ delayMinutes: 0 });
    expect(parseHookBody({ delayminutes: MAX_DELAY_MINUTES }, strict)).toEqual({
      delayMinutes: MAX_DELAY_MINUTES,
    });
    expect(parseHookBody({ delayminutes: '15' }, strict)).toEqual({ delayMinutes: 15 });
  });

  it.each([-1, MAX_DELAY_MINUTES + 1, 1.5, '5m', true, '1e3'])('refuses %p', (value) => {
    expect(errorOf(() => parseHookBody({ delayminutes: value }, strict))).toMatchObject({
      field: 'delayminutes',
    });
  });
});

describe('parseHookBody: requireValidFilter', () => {
  it('on: a body that builds nothing, or is not an object, is a 400 that says how to fix it', () => {
    const error = errorOf(() => parseHookBody({ hello: 'world' }, strict));
    expect(error.field).toBe('body');
    expect(error.fix).toContain('requireValidFilter');
    expect(errorOf(() => parseHookBody([1, 2], strict)).message).toBe(
      'The body must be a JSON object.',
    );
    expect(errorOf(() => parseHookBody('text', strict)).field).toBe('body');
  });

  it('an empty body (no JSON at all) uses the saved audience', () => {
    expect(parseHookBody(undefined, strict)).toEqual({});
    expect(parseHookBody('', strict)).toEqual({});
  });

  it('off: any JSON is accepted and forwarded as payload', () => {
    expect(parseHookBody({ order: { id: 'A-1' } }, loose)).toEqual({
      payload: { order: { id: 'A-1' } },
    });
    expect(parseHookBody([1, 2], loose)).toEqual({ payload: [1, 2] });
    expect(parseHookBody(42, loose)).toEqual({ payload: 42 });
    // An invalid filter is not an error when nothing is required; a valid delay still applies.
    expect(parseHookBody({ audience_filters: 'a;b', delayminutes: 3 }, loose)).toEqual({
      payload: { audience_filters: 'a;b', delayminutes: 3 },
      delayMinutes: 3,
    });
  });

  it('off: valid parts still shape the run; targets travel as targets, not again in the payload', () => {
    const filter = {
      audience_filters: 'a',
      audience_criteria: 'Equals',
      audience_values: '1',
      note: 'x',
    };
    expect(parseHookBody(filter, loose)).toMatchObject({
      audience: { filters: [{ field: 'a' }] },
      payload: filter,
    });
    const parsed = parseHookBody(
      { targets: [{ user_id: '1', bot_channel: 'sms' }], order: 'A-1' },
      loose,
    );
    expect(parsed.targets).toHaveLength(1);
    expect(parsed.payload).toEqual({ order: 'A-1' });
  });
});
