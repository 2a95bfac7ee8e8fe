// The value rules both evaluators share (docs/audience-filters.md). Each function here has an
// exact SQL twin in sql.compiler.ts; the property test holds the two to the same answers.

/**
 * Text as PostgreSQL receives it: a lone UTF-16 surrogate (JSON allows "\ud83d") cannot be sent
 * as UTF-8 and becomes U+FFFD, so the in-memory side replaces it the same way first.
 */
export function wellFormed(value: string): string {
  return value.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
}

/** Letters A–Z become a–z; every other character stays as it is (SQL: lower(x COLLATE "C")). */
export function foldCase(value: string): string {
  return value.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Whether folding can change the value: if not, a plain equality is exact (and can use an index). */
export function hasAsciiLetters(value: string): boolean {
  return /[A-Za-z]/.test(value);
}

/**
 * A number is an optional sign, 1–64 digits, and an optional "." with 1–64 digits: "42",
 * "-3.5", "+007". No exponent, no spaces, no thousands separators. The same pattern is used in SQL.
 */
export const NUMBER_PATTERN = '^[+-]?[0-9]{1,64}(\\.[0-9]{1,64})?$';
const NUMBER = new RegExp(NUMBER_PATTERN);

export function isNumber(value: string): boolean {
  return NUMBER.test(value);
}

/** Exact decimal comparison of two numbers (no float rounding, like PostgreSQL's numeric). */
export function compareNumbers(a: string, b: string): number {
  const x = decimalParts(a);
  const y = decimalParts(b);
  const sx = signOf(x);
  const sy = signOf(y);
  if (sx !== sy) return sx < sy ? -1 : 1;
  if (sx === 0) return 0;
  const magnitude = compareMagnitudes(x, y);
  return sx < 0 ? -magnitude : magnitude;
}

interface DecimalParts {
  negative: boolean;
  zero: boolean;
  whole: string;
  fraction: string;
}

function decimalParts(value: string): DecimalParts {
  const negative = value.startsWith('-');
  const unsigned = value.replace(/^[+-]/, '');
  const [rawWhole = '', rawFraction = ''] = unsigned.split('.');
  const whole = rawWhole.replace(/^0+/, '');
  const fraction = rawFraction.replace(/0+$/, '');
  return { negative, zero: whole === '' && fraction === '', whole, fraction };
}

/** -0 and +0.00 are zero, like numeric. */
function signOf(x: DecimalParts): number {
  return x.zero ? 0 : x.negative ? -1 : 1;
}

function compareMagnitudes(x: DecimalParts, y: DecimalParts): number {
  if (x.whole.length !== y.whole.length) return x.whole.length < y.whole.length ? -1 : 1;
  if (x.whole !== y.whole) return x.whole < y.whole ? -1 : 1;
  const width = Math.max(x.fraction.length, y.fraction.length);
  const fx = x.fraction.padEnd(width, '0');
  const fy = y.fraction.padEnd(width, '0');
  return fx === fy ? 0 : fx < fy ? -1 : 1;
}

/** Text order is Unicode code point order (UTF-8 byte order; SQL: COLLATE "C"), not a locale's. */
export function compareText(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Length in characters (Unicode code points; SQL: char_length on a UTF-8 database). */
export function lengthOf(value: string): number {
  let n = 0;
  for (const _ of value) n += 1;
  return n;
}

/** A length criterion's value: a whole number of characters. */
export const LENGTH_PATTERN = /^[0-9]{1,6}$/;

const DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * A date filter value: "2026-03-01" (midnight UTC) or an ISO 8601 date-time such as
 * "2026-03-01T09:30:00Z" / "2026-03-01T09:30:00.250+02:00" (UTC when no zone is given).
 * Returns milliseconds since the epoch, or undefined when the value is not such a date.
 */
export function parseDateValue(value: string): number | undefined {
  const m = DATE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const ms = Number((frac.slice(1) + '000').slice(0, 3));
  const local = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    ms,
  );
  const check = new Date(local);
  // Date.UTC rolls 2026-02-30 over to March: such a value is not a date.
  if (
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return undefined;
  }
  if (zone === 'Z') return local;
  const sign = zone.startsWith('-') ? -1 : 1;
  const [zh, zm] = zone.slice(1).split(':').map(Number) as [number, number];
  if (zh > 23 || zm > 59) return undefined;
  return local - sign * (zh * 60 + zm) * 60_000;
}

/** The text form of a date field: ISO 8601 in UTC with milliseconds, e.g. 2026-03-01T09:30:00.250Z. */
export function dateText(ms: number): string {
  return new Date(ms).toISOString();
}
