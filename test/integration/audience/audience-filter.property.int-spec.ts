// The filter engine's promise: the SQL it compiles and its in-memory evaluator select the same
// contacts. fast-check draws random contact sets and audiences (values drawn from the contacts'
// own values, numbers, dates, case and Unicode edge cases); each set is inserted into the real
// contacts table (in a transaction rolled back afterwards) and every audience is evaluated by
// PostgreSQL in one query, then in memory on the rows as read back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CRITERIA, type Audience, type Criterion, type Filter } from '@herald/contracts';
import { compileAudience, type FilterableContact } from '@herald/audience-filter';
import { prepareDatabase, testDatabaseUrl } from '@herald/testing';

const CHARS = [
  'a',
  'A',
  'b',
  'B',
  'z',
  'Z',
  'é',
  'É',
  'ß',
  'İ',
  'ı',
  '0',
  '1',
  '9',
  '-',
  '+',
  '.',
  ' ',
  '%',
  '_',
  '\\',
  "'",
  '😀',
  '\uffff',
];
/** Filter values may hold lone surrogates (JSON allows "\ud83d"); stored contacts cannot. */
const VALUE_CHARS = [...CHARS, '\ud83d', '\ude00'];
const WORDS = [
  '',
  'a',
  'A',
  'red',
  'Red',
  'RED',
  'reD x',
  '0',
  '1',
  '9',
  '10',
  '010',
  '-1',
  '+1',
  '-0',
  '1.5',
  '1.50',
  '.5',
  '1.',
  '1e3',
  '12345678901234567890',
];
const text = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 6 }),
);
const valueText = fc.oneof(
  text,
  fc.string({ unit: fc.constantFrom(...VALUE_CHARS), maxLength: 6 }),
);
const VARIABLES = ['color', 'age', 'name', 'Email', 'constructor'];
const FIELDS = [
  'user_id',
  'user_phone_number',
  'email',
  'fbid',
  'bot_channel',
  'first_seen',
  'last_seen',
  ...VARIABLES,
  'missing',
];
const DATE_FIELDS = new Set(['first_seen', 'last_seen']);
const MIN_MS = Date.UTC(2020, 0, 1);
const MAX_MS = Date.UTC(2030, 0, 1);

interface SeedContact {
  channel: 'whatsapp' | 'sms' | 'messenger';
  userId: string;
  phone: string | null;
  email: string | null;
  fbid: string | null;
  variables: Record<string, string | null>;
  firstSeen: string;
  lastSeen: string;
}

/** A timestamp with microseconds, as PostgreSQL stores them (both sides must agree on truncation). */
const timestamp = fc
  .tuple(fc.integer({ min: MIN_MS, max: MAX_MS }), fc.integer({ min: 0, max: 999 }))
  .map(([ms, micro]) =>
    new Date(ms).toISOString().replace('Z', `${String(micro).padStart(3, '0')}Z`),
  );

const contactArb: fc.Arbitrary<SeedContact> = fc.record({
  channel: fc.constantFrom('whatsapp', 'sms', 'messenger'),
  userId: fc.string({ unit: fc.constantFrom(...CHARS), minLength: 1, maxLength: 4 }),
  phone: fc.option(text, { nil: null }),
  email: fc.option(text, { nil: null }),
  fbid: fc.option(text, { nil: null }),
  variables: fc.dictionary(fc.constantFrom(...VARIABLES), fc.option(text, { nil: null }), {
    maxKeys: 4,
  }),
  firstSeen: timestamp,
  lastSeen: timestamp,
});

const contactsArb = fc.uniqueArray(contactArb, {
  minLength: 1,
  maxLength: 15,
  selector: (c) => `${c.channel}/${c.userId}`,
});

/** Values to filter on: some taken from the contacts themselves, so Equals and friends do match. */
function valueArb(
  field: string,
  criterion: Criterion,
  contacts: SeedContact[],
): fc.Arbitrary<string> {
  if (criterion === 'IsLongerThan' || criterion === 'IsShorterThan')
    return fc.constantFrom('0', '1', '2', '3', '5');
  if (
    DATE_FIELDS.has(field) &&
    (criterion === 'Equals' ||
      criterion === 'Different' ||
      criterion === 'GreaterThan' ||
      criterion === 'LesserThan')
  ) {
    const seen = contacts.flatMap((c) => [c.firstSeen, c.lastSeen]);
    return fc.oneof(
      fc.constantFrom(...seen.map((s) => s.slice(0, 23) + 'Z')), // the stored instant at ms precision
      fc.constantFrom(...seen.map((s) => s.slice(0, 10))), // its day
      timestamp.map((s) => s.slice(0, 19) + '+02:00'),
    );
  }
  const own = contacts.flatMap((c) => [
    c.userId,
    c.phone,
    c.email,
    c.fbid,
    c.channel,
    c.firstSeen.slice(0, 10),
    ...Object.values(c.variables),
  ]);
  const pool = own.filter((v): v is string => typeof v === 'string');
  return fc.oneof(
    valueText,
    fc.constantFrom(...pool),
    fc.constantFrom(...pool).map((v) => v.toUpperCase()),
    fc.constantFrom(...pool).map((v) => v.slice(0, 2)),
  );
}

function audienceArb(contacts: SeedContact[]): fc.Arbitrary<Audience> {
  const filter: fc.Arbitrary<Filter> = fc
    .tuple(fc.constantFrom(...FIELDS), fc.constantFrom(...CRITERIA))
    .chain(([field, criteria]) =>
      valueArb(field, criteria, contacts).map((value) => ({ field, criteria, value })),
    );
  return fc.array(filter, { minLength: 1, maxLength: 4 }).chain((filters) =>
    fc
      .option(
        fc.array(fc.constantFrom<'AND' | 'OR'>('AND', 'OR'), {
          minLength: filters.length - 1,
          maxLength: filters.length - 1,
        }),
        { nil: undefined },
      )
      .map((joins) => (joins ? { filters, joins } : { filters })),
  );
}

interface Row {
  id: string;
  user_id: string;
  channel: string;
  phone: string | null;
  email: string | null;
  fbid: string | null;
  variables: Record<string, unknown>;
  first_seen: Date;
  last_seen: Date;
  [match: string]: unknown;
}

const toContact = (r: Row): FilterableContact => ({
  userId: r.user_id,
  channel: r.channel,
  phone: r.phone,
  email: r.email,
  fbid: r.fbid,
  variables: r.variables,
  firstSeen: r.first_seen,
  lastSeen: r.last_seen,
});

describe('audience filters: SQL and in-memory evaluation agree (property, real PostgreSQL)', () => {
  const pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 1 });
  let evaluated = 0;

  beforeAll(async () => {
    await prepareDatabase();
  });

  afterAll(async () => {
    await pool.end();
  });

  /** Inserts the contacts and evaluates every audience in one query; returns the rows with m0…mN. */
  async function evaluateInSql(contacts: SeedContact[], audiences: Audience[]): Promise<Row[]> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const botId = randomUUID();
      await client.query(
        `INSERT INTO contacts (id, bot_id, channel, user_id, phone, email, fbid, variables, first_seen, last_seen)
         SELECT gen_random_uuid(), $1, u.channel, u.user_id, u.phone, u.email, u.fbid, u.variables, u.first_seen, u.last_seen
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::timestamptz[], $9::timestamptz[])
                AS u(channel, user_id, phone, email, fbid, variables, first_seen, last_seen)`,
        [
          botId,
          contacts.map((c) => c.channel),
          contacts.map((c) => c.userId),
          contacts.map((c) => c.phone),
          contacts.map((c) => c.email),
          contacts.map((c) => c.fbid),
          contacts.map((c) => JSON.stringify(c.variables)),
          contacts.map((c) => c.firstSeen),
          contacts.map((c) => c.lastSeen),
        ],
      );
      const params: unknown[] = [botId];
      const columns = audiences.map((audience, i) => {
        const fragment = compileAudience(audience).toSql('c', params.length + 1);
        params.push(...fragment.params);
        return `(${fragment.sql}) AS m${i}`;
      });
      const { rows } = await client.query<Row>(
        `SELECT c.id, c.user_id, c.channel, c.phone, c.email, c.fbid, c.variables, c.first_seen, c.last_seen, ${columns.join(', ')}
           FROM contacts c WHERE c.bot_id = $1`,
        params,
      );
      return rows;
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }

  it('selects the same contacts on 1500 random contact sets × up to 8 audiences each', async () => {
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(
        contactsArb.chain((contacts) =>
          fc.tuple(
            fc.constant(contacts),
            fc.array(audienceArb(contacts), { minLength: 1, maxLength: 8 }),
          ),
        ),
        async ([contacts, audiences]) => {
          const rows = await evaluateInSql(contacts, audiences);
          expect(rows).toHaveLength(contacts.length);
          audiences.forEach((audience, i) => {
            const compiled = compileAudience(audience);
            for (const row of rows) {
              const inMemory = compiled.matches(toContact(row));
              if (row[`m${i}`] !== inMemory) {
                throw new Error(
                  `SQL says ${String(row[`m${i}`])}, memory says ${inMemory} for ${JSON.stringify(audience)} on ${JSON.stringify(toContact(row))}`,
                );
              }
            }
            evaluated += 1;
          });
        },
      ),
      { numRuns: 1500, interruptAfterTimeLimit: 90_000, markInterruptAsFailure: true },
    );
    expect(evaluated).toBeGreaterThan(3000);
    expect(Date.now() - started).toBeLessThan(90_000);
  }, 120_000);

  it('the generators reach both outcomes of every criterion (the property is not vacuous)', async () => {
    const seen = new Map<string, Set<boolean>>();
    await fc.assert(
      fc.asyncProperty(
        contactsArb.chain((contacts) =>
          fc.tuple(
            fc.constant(contacts),
            fc.array(audienceArb(contacts), { minLength: 4, maxLength: 8 }),
          ),
        ),
        async ([contacts, audiences]) => {
          const single = audiences.map((a) => ({ filters: [a.filters[0]] }));
          const rows = await evaluateInSql(contacts, single);
          single.forEach((audience, i) => {
            const key = audience.filters[0].criteria;
            const outcomes = seen.get(key) ?? new Set<boolean>();
            for (const row of rows) outcomes.add(row[`m${i}`] as boolean);
            seen.set(key, outcomes);
          });
        },
      ),
      { numRuns: 120 },
    );
    for (const criterion of CRITERIA)
      expect([criterion, [...(seen.get(criterion) ?? [])].sort()]).toEqual([
        criterion,
        [false, true],
      ]);
  }, 60_000);
});
