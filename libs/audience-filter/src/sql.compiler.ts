// Compiles an audience expression to a parameterised SQL condition over the contacts table.
// Input never reaches the SQL text: field names, values, numbers and dates all travel as
// parameters; the text holds only fixed column names and the constant number pattern.
import type { AudienceExpression, Condition, FieldRef } from './audience.parser.js';
import { NUMBER_PATTERN, hasAsciiLetters } from './filter-value.semantics.js';

export interface SqlFragment {
  /** A boolean SQL expression using $n placeholders from the first parameter number given. */
  sql: string;
  params: unknown[];
}

const ALIAS = /^[a-z_][a-z0-9_]{0,62}$/;
const ISO_TEXT = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

class Params {
  readonly values: unknown[] = [];

  constructor(private next: number) {}

  add(value: unknown, type: 'text' | 'int' | 'numeric' | 'timestamptz'): string {
    this.values.push(value);
    return `$${this.next++}::${type}`;
  }
}

export function compileToSql(
  expression: AudienceExpression,
  alias: string,
  firstParam: number,
): SqlFragment {
  if (!ALIAS.test(alias)) throw new Error(`"${alias}" is not a plain table alias`);
  if (!Number.isInteger(firstParam) || firstParam < 1)
    throw new Error(`firstParam must be a whole number ≥ 1, got ${firstParam}`);
  const params = new Params(firstParam);
  const groups = expression.groups.map((group) =>
    group.length === 0
      ? 'TRUE'
      : `(${group.map((c) => condition(c, alias, params)).join(' AND ')})`,
  );
  return {
    sql: groups.length === 1 ? groups[0] : `(${groups.join(' OR ')})`,
    params: params.values,
  };
}

function condition(c: Condition, alias: string, params: Params): string {
  const positive = predicate(c, alias, params);
  return c.negate ? `NOT ${positive}` : positive;
}

/** The text value of a field, NULL when unset. */
function textOf(field: FieldRef, alias: string, params: Params): string {
  if (field.source === 'variable')
    return `(${alias}.variables ->> ${params.add(field.name, 'text')})`;
  if (field.type === 'date')
    return `to_char(${alias}.${field.column} AT TIME ZONE 'UTC', ${ISO_TEXT})`;
  return `${alias}.${field.column}`;
}

const folded = (value: string) => `lower(${value} COLLATE "C")`;

/** The positive predicate; always TRUE or FALSE, never NULL, so NOT and OR behave as in memory. */
function predicate(c: Condition, alias: string, params: Params): string {
  const { field } = c;
  if (field.source === 'column' && field.type === 'date') {
    const column = `${alias}.${field.column}`;
    // Dates compare at millisecond precision: truncating the stored microseconds, as the
    // in-memory side sees them, becomes a range on the raw column (which an index can serve).
    if (c.op === 'equals') {
      return `(${column} >= ${params.add(iso(c.at!), 'timestamptz')} AND ${column} < ${params.add(iso(c.at! + 1), 'timestamptz')})`;
    }
    if (c.op === 'greater') return `(${column} >= ${params.add(iso(c.at! + 1), 'timestamptz')})`;
    if (c.op === 'lesser') return `(${column} < ${params.add(iso(c.at!), 'timestamptz')})`;
    if (c.op === 'hasValue') return 'TRUE';
  }
  const value = textOf(field, alias, params);
  const set = `${value} IS NOT NULL`;
  switch (c.op) {
    case 'hasValue':
      return `(${set} AND ${value} <> '')`;
    case 'equals':
      // Channels are stored in lower case, and a value without letters folds to itself: a plain
      // equality is then exact, and the (bot_id, channel, id) / (bot_id, user_id) indexes apply.
      if ((field.source === 'column' && field.column === 'channel') || !hasAsciiLetters(c.folded)) {
        return `(${set} AND ${value} = ${params.add(c.folded, 'text')})`;
      }
      return `(${set} AND ${folded(value)} = ${params.add(c.folded, 'text')})`;
    case 'greater':
    case 'lesser': {
      const op = c.op === 'greater' ? '>' : '<';
      const text = `${folded(value)} ${op} ${params.add(c.folded, 'text')}`;
      if (c.number === undefined) return `(${set} AND ${text})`;
      const numeric = `${value}::numeric ${op} ${params.add(c.number, 'numeric')}`;
      return `(${set} AND CASE WHEN ${value} ~ '${NUMBER_PATTERN}' THEN ${numeric} ELSE ${text} END)`;
    }
    case 'contains':
      return `(${set} AND strpos(${folded(value)}, ${params.add(c.folded, 'text')}) > 0)`;
    case 'startsWith':
      return `(${set} AND starts_with(${folded(value)}, ${params.add(c.folded, 'text')}))`;
    case 'longer':
      return `(${set} AND char_length(${value}) > ${params.add(c.length, 'int')})`;
    case 'shorter':
      return `(${set} AND char_length(${value}) < ${params.add(c.length, 'int')})`;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
