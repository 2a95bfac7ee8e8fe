// Checks operator-supplied content and audiences against the event contract's own schemas,
// so what the admin API accepts is exactly what the events can carry.
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import {
  Audience,
  CRITERIA,
  Message,
  TEMPLATE_CHANNEL_NAMES,
  type Criterion,
  type Message as MessageType,
} from '@herald/contracts';
import { HeraldError } from '@herald/errors';

function check<T>(schema: TSchema, value: unknown, field: string, fix: string): T {
  if (Value.Check(schema, value)) return value as T;
  const first = [...Value.Errors(schema, value)][0];
  const where = first?.path ? `${field}${first.path.replaceAll('/', '.')}` : field;
  throw HeraldError.invalid(where, `${where}: ${first?.message ?? 'is invalid'}`, fix);
}

export function checkMessages(value: unknown, field = 'messages'): MessageType[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 10) {
    throw HeraldError.invalid(
      field,
      `${field} must be an array of 1 to 10 messages`,
      'Send e.g. [{"text": "Hello {{first_name}}"}].',
    );
  }
  return value.map((m, i) =>
    check<MessageType>(
      Message,
      m,
      `${field}[${i}]`,
      `A message is {"text": "..."} or, sent only on ${TEMPLATE_CHANNEL_NAMES}, {"template": {"name", "language": {"code"}}}.`,
    ),
  );
}

const AUDIENCE_FIX =
  'An audience is {"filters": [{"field", "criteria", "value"}], "joins": ["AND"|"OR"]}.';

const CRITERIA_BY_LOWER = new Map<string, Criterion>([
  ...CRITERIA.map((c) => [c.toLowerCase(), c] as [string, Criterion]),
  ['cointains', 'Contains'], // the seed's own spelling
]);

/** A criterion by name, any letter case, the seed's "Cointains" read as Contains. */
export function criterionOf(name: string): Criterion | undefined {
  return CRITERIA_BY_LOWER.get(name.trim().toLowerCase());
}

/** Criteria are read case-insensitively (and "Cointains" as Contains), as the hook reads them. */
function normalizeCriteria(value: unknown): unknown {
  if (
    typeof value !== 'object' ||
    value === null ||
    !Array.isArray((value as { filters?: unknown }).filters)
  )
    return value;
  const audience = value as { filters: unknown[] };
  return {
    ...audience,
    filters: audience.filters.map((f) => {
      const criteria = (f as { criteria?: unknown } | null)?.criteria;
      const known = typeof criteria === 'string' ? criterionOf(criteria) : undefined;
      return known ? { ...(f as object), criteria: known } : f;
    }),
  };
}

export function checkAudience(value: unknown): Audience {
  const audience = check<Audience>(Audience, normalizeCriteria(value), 'audience', AUDIENCE_FIX);
  const joins = audience.joins ?? [];
  if (audience.joins !== undefined && joins.length !== audience.filters.length - 1) {
    throw HeraldError.invalid(
      'audience.joins',
      `audience.joins needs ${audience.filters.length - 1} entries (one between each pair of filters), got ${joins.length}`,
      AUDIENCE_FIX,
    );
  }
  return audience;
}
