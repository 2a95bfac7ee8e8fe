// Checks an Audience and turns it into the expression both evaluators read: OR-groups of
// AND-ed conditions (AND binds tighter than OR), each condition with its value already
// normalised (case folded, number recognised, date parsed, length read).
import { CRITERIA, type Audience, type Criterion } from '@herald/contracts';
import { HeraldError } from '@herald/errors';
import {
  LENGTH_PATTERN,
  foldCase,
  isNumber,
  parseDateValue,
  wellFormed,
} from './filter-value.semantics.js';

export type FieldType = 'text' | 'date';

export interface ColumnField {
  source: 'column';
  /** The name filters use, e.g. user_phone_number. */
  name: string;
  column: 'user_id' | 'phone' | 'email' | 'fbid' | 'channel' | 'first_seen' | 'last_seen';
  type: FieldType;
  nullable: boolean;
}

export interface VariableField {
  source: 'variable';
  name: string;
  type: 'text';
}

export type FieldRef = ColumnField | VariableField;

/** The contact fields every contact has; any other field name is a custom variable. */
export const BUILT_IN_FIELDS: Readonly<Record<string, ColumnField>> = {
  user_id: { source: 'column', name: 'user_id', column: 'user_id', type: 'text', nullable: false },
  user_phone_number: {
    source: 'column',
    name: 'user_phone_number',
    column: 'phone',
    type: 'text',
    nullable: true,
  },
  email: { source: 'column', name: 'email', column: 'email', type: 'text', nullable: true },
  fbid: { source: 'column', name: 'fbid', column: 'fbid', type: 'text', nullable: true },
  bot_channel: {
    source: 'column',
    name: 'bot_channel',
    column: 'channel',
    type: 'text',
    nullable: false,
  },
  first_seen: {
    source: 'column',
    name: 'first_seen',
    column: 'first_seen',
    type: 'date',
    nullable: false,
  },
  last_seen: {
    source: 'column',
    name: 'last_seen',
    column: 'last_seen',
    type: 'date',
    nullable: false,
  },
};

/** The built-in field of that name, if any (own keys only: "constructor" is a variable name). */
export function builtInField(name: string): ColumnField | undefined {
  return Object.hasOwn(BUILT_IN_FIELDS, name) ? BUILT_IN_FIELDS[name] : undefined;
}

/** The positive operation of a criterion; the "Does not"/"Different"/"EmptyOrUnset" ones negate it. */
export type Operation =
  'equals' | 'greater' | 'lesser' | 'contains' | 'startsWith' | 'hasValue' | 'longer' | 'shorter';

const OPERATIONS: Record<Criterion, { op: Operation; negate: boolean }> = {
  Equals: { op: 'equals', negate: false },
  Different: { op: 'equals', negate: true },
  GreaterThan: { op: 'greater', negate: false },
  LesserThan: { op: 'lesser', negate: false },
  Contains: { op: 'contains', negate: false },
  DoesNotContain: { op: 'contains', negate: true },
  StartsWith: { op: 'startsWith', negate: false },
  DoesNotStartWith: { op: 'startsWith', negate: true },
  HasValue: { op: 'hasValue', negate: false },
  EmptyOrUnset: { op: 'hasValue', negate: true },
  IsLongerThan: { op: 'longer', negate: false },
  IsShorterThan: { op: 'shorter', negate: false },
};

export interface Condition {
  field: FieldRef;
  criterion: Criterion;
  op: Operation;
  negate: boolean;
  /** The filter value with A–Z folded to a–z (text operations). */
  folded: string;
  /** The filter value when it is a number (greater/lesser on text fields compare numerically when both sides are). */
  number?: string;
  /** Milliseconds since the epoch: equals/greater/lesser on a date field. */
  at?: number;
  /** Characters: longer/shorter. */
  length?: number;
}

/** OR of AND-groups. An empty group is true: `[[]]` selects every contact. */
export interface AudienceExpression {
  groups: Condition[][];
}

export const EVERY_CONTACT: AudienceExpression = { groups: [[]] };

const MAX_FILTERS = 64;
const MAX_VALUE_LENGTH = 4096;
const MAX_FIELD_LENGTH = 128;
const DATE_FIX = 'Give a date such as 2026-03-01 or a date-time such as 2026-03-01T09:30:00Z.';

/** Every problem of the audience, each naming the filter it is about; empty when it is valid. */
export function audienceProblems(
  audience: Audience,
): Array<{ field: string; message: string; fix?: string }> {
  const problems: Array<{ field: string; message: string; fix?: string }> = [];
  const filters: unknown = (audience as { filters?: unknown }).filters;
  if (!Array.isArray(filters) || filters.length === 0) {
    return [{ field: 'audience.filters', message: 'audience.filters needs at least one filter' }];
  }
  if (filters.length > MAX_FILTERS) {
    problems.push({
      field: 'audience.filters',
      message: `audience.filters has ${filters.length} filters; at most ${MAX_FILTERS} are allowed`,
    });
  }
  const joins: unknown = (audience as { joins?: unknown }).joins;
  if (joins !== undefined) {
    if (!Array.isArray(joins) || joins.length !== filters.length - 1) {
      problems.push({
        field: 'audience.joins',
        message: `audience.joins needs ${filters.length - 1} entries (one between each pair of filters), got ${Array.isArray(joins) ? joins.length : 'no list'}`,
      });
    } else {
      joins.forEach((j: unknown, i) => {
        if (j !== 'AND' && j !== 'OR')
          problems.push({
            field: `audience.joins[${i}]`,
            message: `audience.joins[${i}] is "${String(j)}", not AND or OR`,
          });
      });
    }
  }
  filters.forEach((filter: unknown, i) => {
    const at = `audience.filters[${i}]`;
    const problem = filterProblem(filter, at);
    if (problem) problems.push(problem);
  });
  return problems;
}

function filterProblem(
  filter: unknown,
  at: string,
): { field: string; message: string; fix?: string } | undefined {
  if (typeof filter !== 'object' || filter === null)
    return { field: at, message: `${at} must be {field, criteria, value}` };
  const { field, criteria, value } = filter as {
    field?: unknown;
    criteria?: unknown;
    value?: unknown;
  };
  if (typeof field !== 'string' || field.length === 0 || field.length > MAX_FIELD_LENGTH) {
    return {
      field: `${at}.field`,
      message: `${at}.field must be a field or variable name of 1 to ${MAX_FIELD_LENGTH} characters`,
    };
  }
  if (typeof criteria !== 'string' || !(CRITERIA as readonly string[]).includes(criteria)) {
    return {
      field: `${at}.criteria`,
      message: `${at}.criteria "${String(criteria)}" is not a criterion`,
      fix: `Use one of: ${CRITERIA.join(', ')}.`,
    };
  }
  if (typeof value !== 'string' || value.length > MAX_VALUE_LENGTH) {
    return {
      field: `${at}.value`,
      message: `${at}.value must be text of at most ${MAX_VALUE_LENGTH} characters`,
    };
  }
  const { op } = OPERATIONS[criteria as Criterion];
  if ((op === 'longer' || op === 'shorter') && !LENGTH_PATTERN.test(value.trim())) {
    return {
      field: `${at}.value`,
      message: `${at}.value must be a whole number of characters for ${criteria}, got "${value}"`,
      fix: 'E.g. "5".',
    };
  }
  const builtIn = builtInField(field);
  if (
    builtIn?.type === 'date' &&
    (op === 'equals' || op === 'greater' || op === 'lesser') &&
    parseDateValue(value) === undefined
  ) {
    return {
      field: `${at}.value`,
      message: `${at}.value "${value}" is not a date, and ${field} ${criteria} compares dates`,
      fix: DATE_FIX,
    };
  }
  return undefined;
}

/** The expression of an audience (every contact for none); throws a HeraldError naming each problem. */
export function parseAudience(audience: Audience | null | undefined): AudienceExpression {
  if (!audience) return EVERY_CONTACT;
  const problems = audienceProblems(audience);
  if (problems.length > 0) {
    const first = problems[0];
    throw HeraldError.invalid(first.field, problems.map((p) => p.message).join('; '), first.fix);
  }
  const groups: Condition[][] = [[]];
  audience.filters.forEach((filter, i) => {
    if (i > 0 && audience.joins?.[i - 1] === 'OR') groups.push([]);
    groups[groups.length - 1].push(
      toCondition(wellFormed(filter.field), filter.criteria, wellFormed(filter.value)),
    );
  });
  return { groups };
}

function toCondition(name: string, criterion: Criterion, value: string): Condition {
  const field: FieldRef = builtInField(name) ?? { source: 'variable', name, type: 'text' };
  const { op, negate } = OPERATIONS[criterion];
  const condition: Condition = { field, criterion, op, negate, folded: foldCase(value) };
  if (op === 'longer' || op === 'shorter') condition.length = Number(value.trim());
  if (field.type === 'date' && (op === 'equals' || op === 'greater' || op === 'lesser'))
    condition.at = parseDateValue(value);
  if (field.type === 'text' && (op === 'greater' || op === 'lesser') && isNumber(value))
    condition.number = value;
  return condition;
}
