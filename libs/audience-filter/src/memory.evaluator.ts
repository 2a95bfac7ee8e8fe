// Evaluates an audience expression on one contact in memory, with exactly the semantics of the
// SQL the compiler emits (the property test runs both on the same contacts and filters).
import type { AudienceExpression, Condition, FieldRef } from './audience.parser.js';
import {
  compareNumbers,
  compareText,
  dateText,
  foldCase,
  isNumber,
  lengthOf,
} from './filter-value.semantics.js';

/** What a filter can look at; ContactEntity has this shape. */
export interface FilterableContact {
  userId: string;
  channel: string;
  phone: string | null;
  email: string | null;
  fbid: string | null;
  variables: Record<string, unknown>;
  firstSeen: Date;
  lastSeen: Date;
}

export function evaluate(expression: AudienceExpression, contact: FilterableContact): boolean {
  return expression.groups.some((group) => group.every((c) => holds(c, contact)));
}

function holds(c: Condition, contact: FilterableContact): boolean {
  const result = positive(c, contact);
  return c.negate ? !result : result;
}

function dateOf(field: FieldRef, contact: FilterableContact): number | undefined {
  if (field.source !== 'column' || field.type !== 'date') return undefined;
  return (field.column === 'first_seen' ? contact.firstSeen : contact.lastSeen).getTime();
}

/** The text value of a field; undefined when unset (SQL NULL). */
function textOf(field: FieldRef, contact: FilterableContact): string | undefined {
  if (field.source === 'variable') {
    if (!Object.hasOwn(contact.variables, field.name)) return undefined;
    const raw = contact.variables[field.name];
    // Variables are strings by contract; anything else reads as its JSON text, like ->>.
    if (raw === null || raw === undefined) return undefined;
    return typeof raw === 'string' ? raw : JSON.stringify(raw);
  }
  const ms = dateOf(field, contact);
  if (ms !== undefined) return dateText(ms);
  switch (field.column) {
    case 'user_id':
      return contact.userId;
    case 'phone':
      return contact.phone ?? undefined;
    case 'email':
      return contact.email ?? undefined;
    case 'fbid':
      return contact.fbid ?? undefined;
    case 'channel':
      return contact.channel;
    default:
      return undefined;
  }
}

function positive(c: Condition, contact: FilterableContact): boolean {
  const ms = dateOf(c.field, contact);
  if (ms !== undefined) {
    if (c.op === 'equals') return ms === c.at;
    if (c.op === 'greater') return ms > c.at!;
    if (c.op === 'lesser') return ms < c.at!;
    if (c.op === 'hasValue') return true;
  }
  const value = textOf(c.field, contact);
  if (value === undefined) return false;
  switch (c.op) {
    case 'hasValue':
      return value !== '';
    case 'equals':
      return foldCase(value) === c.folded;
    case 'greater':
    case 'lesser': {
      const order =
        c.number !== undefined && isNumber(value)
          ? compareNumbers(value, c.number)
          : compareText(foldCase(value), c.folded);
      return c.op === 'greater' ? order > 0 : order < 0;
    }
    case 'contains':
      return foldCase(value).includes(c.folded);
    case 'startsWith':
      return foldCase(value).startsWith(c.folded);
    case 'longer':
      return lengthOf(value) > c.length!;
    case 'shorter':
      return lengthOf(value) < c.length!;
  }
}
