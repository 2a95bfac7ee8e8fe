import { describe, expect, it } from '@jest/globals';
import type { Audience, Criterion } from '@herald/contracts';
import { HeraldError } from '@herald/errors';
import { compileAudience } from './compiled-audience.js';
import {
  compareNumbers,
  compareText,
  foldCase,
  isNumber,
  lengthOf,
  parseDateValue,
  wellFormed,
} from './filter-value.semantics.js';
import type { FilterableContact } from './memory.evaluator.js';

const contact = (over: Partial<FilterableContact> = {}): FilterableContact => ({
  userId: 'u1',
  channel: 'whatsapp',
  phone: '+15550001',
  email: 'Ada@Example.com',
  fbid: null,
  variables: {},
  firstSeen: new Date('2026-03-01T09:30:00.250Z'),
  lastSeen: new Date('2026-05-01T00:00:00.000Z'),
  ...over,
});

const one = (field: string, criteria: Criterion, value: string): Audience => ({
  filters: [{ field, criteria, value }],
});
const matches = (audience: Audience, c: FilterableContact) => compileAudience(audience).matches(c);

describe('filter value semantics', () => {
  it('replaces lone surrogates as PostgreSQL will receive them', () => {
    expect(wellFormed('é\ud83d')).toBe('é\ufffd');
    expect(wellFormed('\ude00x😀')).toBe('\ufffdx😀');
  });

  it('folds only A–Z', () => {
    expect(foldCase('ÉAbc-Z')).toBe('Éabc-z');
  });

  it('recognises numbers: sign, digits, one decimal point; nothing else', () => {
    for (const n of ['0', '-3', '+007', '1.50', '-0.0']) expect(isNumber(n)).toBe(true);
    for (const n of ['', '1.', '.5', '1e3', ' 1', '1,5', '0x10', 'NaN', '--1'])
      expect(isNumber(n)).toBe(false);
  });

  it('compares numbers exactly, beyond float precision', () => {
    expect(compareNumbers('10', '9')).toBe(1);
    expect(compareNumbers('-10', '-9')).toBe(-1);
    expect(compareNumbers('-0', '+0.000')).toBe(0);
    expect(compareNumbers('007', '7.0')).toBe(0);
    expect(compareNumbers('12345678901234567891', '12345678901234567890')).toBe(1);
    expect(compareNumbers('0.1', '0.09')).toBe(1);
    expect(compareNumbers('-0.5', '0')).toBe(-1);
  });

  it('orders text by code point, counts length in code points', () => {
    expect(compareText('\uffff', '😀')).toBe(-1); // UTF-16 order would say the opposite
    expect(lengthOf('a😀é')).toBe(3);
  });

  it('parses dates and date-times, rejects impossible ones', () => {
    expect(parseDateValue('2026-03-01')).toBe(Date.UTC(2026, 2, 1));
    expect(parseDateValue('2026-03-01T09:30:00.25Z')).toBe(Date.UTC(2026, 2, 1, 9, 30, 0, 250));
    expect(parseDateValue('2026-03-01T11:30+02:00')).toBe(Date.UTC(2026, 2, 1, 9, 30));
    for (const bad of ['2026-02-30', '2026-13-01', 'yesterday', '2026-03-01T25:00Z', '1700000000'])
      expect(parseDateValue(bad)).toBeUndefined();
  });
});

describe('criteria in memory (the documented semantics)', () => {
  it('Equals/Different ignore A–Z case and compare text, not numbers', () => {
    expect(matches(one('email', 'Equals', 'ada@EXAMPLE.com'), contact())).toBe(true);
    expect(matches(one('age', 'Equals', '7'), contact({ variables: { age: '07' } }))).toBe(false);
    expect(matches(one('age', 'Different', '7'), contact({ variables: { age: '07' } }))).toBe(true);
  });

  it('an unset field meets every negated criterion and no other', () => {
    const c = contact({ variables: {} });
    for (const criteria of [
      'Equals',
      'GreaterThan',
      'LesserThan',
      'Contains',
      'StartsWith',
      'HasValue',
      'IsLongerThan',
      'IsShorterThan',
    ] as const) {
      expect([criteria, matches(one('color', criteria, '3'), c)]).toEqual([criteria, false]);
    }
    for (const criteria of [
      'Different',
      'DoesNotContain',
      'DoesNotStartWith',
      'EmptyOrUnset',
    ] as const) {
      expect([criteria, matches(one('color', criteria, '3'), c)]).toEqual([criteria, true]);
    }
    expect(matches(one('fbid', 'EmptyOrUnset', ''), c)).toBe(true);
  });

  it('an empty value is a value for comparisons but not for HasValue', () => {
    const c = contact({ variables: { color: '' } });
    expect(matches(one('color', 'HasValue', ''), c)).toBe(false);
    expect(matches(one('color', 'EmptyOrUnset', ''), c)).toBe(true);
    expect(matches(one('color', 'Equals', ''), c)).toBe(true);
    expect(matches(one('color', 'IsShorterThan', '1'), c)).toBe(true);
  });

  it('GreaterThan/LesserThan compare numerically when both sides are numbers, else as text', () => {
    expect(matches(one('age', 'GreaterThan', '9'), contact({ variables: { age: '10' } }))).toBe(
      true,
    );
    expect(matches(one('age', 'GreaterThan', '9'), contact({ variables: { age: 'ten' } }))).toBe(
      true,
    ); // "ten" > "9" as text
    expect(matches(one('name', 'LesserThan', 'b'), contact({ variables: { name: 'Alice' } }))).toBe(
      true,
    );
  });

  it('Contains/StartsWith ignore A–Z case; lengths count characters', () => {
    expect(matches(one('user_phone_number', 'StartsWith', '+1555'), contact())).toBe(true);
    expect(matches(one('email', 'Contains', 'EXAMPLE'), contact())).toBe(true);
    expect(matches(one('email', 'DoesNotContain', 'example'), contact())).toBe(false);
    expect(
      matches(one('name', 'IsLongerThan', '2'), contact({ variables: { name: 'a😀é' } })),
    ).toBe(true);
    expect(
      matches(one('name', 'IsShorterThan', '3'), contact({ variables: { name: 'a😀é' } })),
    ).toBe(false);
  });

  it('dates compare as instants (ms), text criteria see the ISO text', () => {
    expect(matches(one('first_seen', 'GreaterThan', '2026-03-01'), contact())).toBe(true);
    expect(matches(one('first_seen', 'LesserThan', '2026-03-01T09:30:00.250Z'), contact())).toBe(
      false,
    );
    expect(matches(one('first_seen', 'Equals', '2026-03-01T11:30:00.250+02:00'), contact())).toBe(
      true,
    );
    expect(matches(one('first_seen', 'StartsWith', '2026-03-01'), contact())).toBe(true);
    expect(matches(one('last_seen', 'HasValue', ''), contact())).toBe(true);
  });

  it('built-in names are fields; other names are variables, case-sensitive, own keys only', () => {
    expect(matches(one('bot_channel', 'Equals', 'WhatsApp'), contact())).toBe(true);
    expect(matches(one('Email', 'HasValue', ''), contact())).toBe(false);
    expect(matches(one('constructor', 'HasValue', ''), contact())).toBe(false);
  });

  it('AND binds tighter than OR', () => {
    // a OR b AND c  =  a OR (b AND c)
    const audience: Audience = {
      filters: [
        { field: 'a', criteria: 'Equals', value: '1' },
        { field: 'b', criteria: 'Equals', value: '1' },
        { field: 'c', criteria: 'Equals', value: '1' },
      ],
      joins: ['OR', 'AND'],
    };
    expect(matches(audience, contact({ variables: { a: '1' } }))).toBe(true);
    expect(matches(audience, contact({ variables: { b: '1' } }))).toBe(false);
    expect(matches(audience, contact({ variables: { b: '1', c: '1' } }))).toBe(true);
    expect(matches({ ...audience, joins: undefined }, contact({ variables: { a: '1' } }))).toBe(
      false,
    );
  });

  it('no audience selects everyone', () => {
    expect(compileAudience(null).everyContact).toBe(true);
    expect(compileAudience(null).matches(contact())).toBe(true);
    expect(compileAudience(null).toSql('c', 4)).toEqual({ sql: 'TRUE', params: [] });
  });
});

describe('invalid audiences', () => {
  const problem = (audience: Audience) => {
    try {
      compileAudience(audience);
    } catch (error) {
      expect(error).toBeInstanceOf(HeraldError);
      return (error as HeraldError).message;
    }
    throw new Error('expected a HeraldError');
  };

  it('names the filter and says what to give', () => {
    expect(problem(one('name', 'IsLongerThan', 'five'))).toMatch(
      /audience\.filters\[0\]\.value must be a whole number/,
    );
    expect(problem(one('last_seen', 'GreaterThan', 'last week'))).toMatch(
      /"last week" is not a date/,
    );
    expect(
      problem({
        filters: [one('a', 'Equals', '1').filters[0], one('b', 'Equals', '1').filters[0]],
        joins: [],
      }),
    ).toMatch(/needs 1 entries/);
    expect(
      problem({ filters: [{ field: 'a', criteria: 'Like' as Criterion, value: '' }] }),
    ).toMatch(/is not a criterion/);
  });
});

describe('SQL', () => {
  it('never puts field names or values in the SQL text', () => {
    const evil = "x'); DROP TABLE contacts; --";
    const { sql, params } = compileAudience({
      filters: [
        { field: evil, criteria: 'Equals', value: evil },
        { field: 'email', criteria: 'Contains', value: evil },
        { field: 'age', criteria: 'GreaterThan', value: '18' },
      ],
      joins: ['OR', 'AND'],
    }).toSql('c', 4);
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain('age');
    expect(sql).toMatch(/^\(\(.*\) OR \(.*\)\)$/);
    expect(params).toEqual([
      evil,
      evil.toLowerCase(),
      "x'); drop table contacts; --",
      'age',
      '18',
      '18',
    ]);
    expect(sql).toContain('$4::text');
    expect(sql).toContain('$9::numeric');
  });

  it('uses a plain equality where folding cannot change the value (indexable)', () => {
    expect(compileAudience(one('bot_channel', 'Equals', 'SMS')).toSql('c', 1).sql).toBe(
      '((c.channel IS NOT NULL AND c.channel = $1::text))',
    );
    expect(compileAudience(one('user_id', 'Equals', '3030391')).toSql('c', 1).sql).toContain(
      'c.user_id = $1::text',
    );
    expect(compileAudience(one('user_id', 'Equals', 'abc')).toSql('c', 1).sql).toContain(
      'lower(c.user_id COLLATE "C") = $1::text',
    );
  });

  it('refuses an alias that is not a plain identifier', () => {
    expect(() => compileAudience(one('a', 'Equals', '1')).toSql('c; --', 1)).toThrow(
      /plain table alias/,
    );
  });
});
