// Turns an on-demand hook body (Xenioo/MyLINK style, seeds 000/001) into the parts of a
// BroadcastRequested. Pure: no I/O, so every payload mode and every error message is unit-tested.
import {
  CHANNELS,
  CRITERIA,
  INPUT_LIMITS,
  type Audience,
  type Channel,
  type Filter,
  type Target,
} from '@herald/contracts';
import { HeraldError } from '@herald/errors';
import { criterionOf } from '../content/content.validation.js';

export interface ParsedHook {
  audience?: Audience;
  targets?: Target[];
  setVariables?: Record<string, string>;
  delayMinutes?: number;
  payload?: unknown;
}

export const MAX_DELAY_MINUTES = 43_200;
// The event's own limits (libs/contracts): what passes here, the BroadcastRequested schema takes.
export const MAX_TARGETS = INPUT_LIMITS.targets;
const MAX_FILTERS = INPUT_LIMITS.filters;
const MAX_NAME = INPUT_LIMITS.variableName;
const MAX_VALUE = INPUT_LIMITS.variableValue;
const MAX_USER_ID = INPUT_LIMITS.userId;
const MAX_PHONE = INPUT_LIMITS.phone;
/** Fields of a target (or of set_conversation's variables) that say who it is, not variables. */
const TARGET_KEYS = new Set(['user_id', 'bot_channel', 'user_phone_number']);
const CRITERIA_FIX = `Use one of: ${CRITERIA.join(', ')} (any letter case; "Cointains" is read as Contains).`;

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A `;`-separated list (`separators` may allow more); numbers and booleans count as one entry. */
function split(value: unknown, field: string, separators: RegExp): string[] {
  const text = scalar(value);
  if (text === undefined) {
    throw HeraldError.invalid(
      field,
      `${field} must be a string of ";"-separated entries`,
      `Send e.g. "${field}": "first;second".`,
    );
  }
  return text.split(separators).map((s) => s.trim());
}

function checkLength(value: string, max: number, field: string): string {
  if (value.length > max)
    throw HeraldError.invalid(field, `${field} has an entry longer than ${max} characters`);
  return value;
}

function parseAudience(body: Record<string, unknown>): Audience {
  const fields = split(body.audience_filters, 'audience_filters', /[;,]/);
  if (fields.some((f) => f.length === 0)) {
    throw HeraldError.invalid(
      'audience_filters',
      'audience_filters has an empty field name',
      'Remove the empty entry between separators.',
    );
  }
  if (fields.length > MAX_FILTERS)
    throw HeraldError.invalid(
      'audience_filters',
      `audience_filters may hold at most ${MAX_FILTERS} filters`,
    );
  fields.forEach((f) => checkLength(f, MAX_NAME, 'audience_filters'));
  for (const name of ['audience_criteria', 'audience_values'] as const) {
    if (body[name] === undefined || body[name] === null) {
      throw HeraldError.invalid(
        name,
        `${name} is required with audience_filters (one entry per filter, ";"-separated)`,
      );
    }
  }
  const criteria = split(body.audience_criteria, 'audience_criteria', /;/);
  const values = split(body.audience_values, 'audience_values', /;/);
  if (criteria.length !== fields.length) {
    throw HeraldError.invalid(
      'audience_criteria',
      `audience_criteria has ${criteria.length} entries but audience_filters has ${fields.length}`,
    );
  }
  if (values.length !== fields.length) {
    throw HeraldError.invalid(
      'audience_values',
      `audience_values has ${values.length} entries but audience_filters has ${fields.length}`,
    );
  }
  const filters: Filter[] = fields.map((field, i) => {
    const criterion = criterionOf(criteria[i]);
    if (!criterion)
      throw HeraldError.invalid(
        'audience_criteria',
        `"${criteria[i]}" is not a criterion`,
        CRITERIA_FIX,
      );
    return {
      field,
      criteria: criterion,
      value: checkLength(values[i], MAX_VALUE, 'audience_values'),
    };
  });
  let joins: Array<'AND' | 'OR'> = filters.slice(1).map(() => 'AND');
  if (
    body.audience_join !== undefined &&
    body.audience_join !== null &&
    body.audience_join !== ''
  ) {
    const given = split(body.audience_join, 'audience_join', /;/).map((j) => j.toUpperCase());
    if (given.length !== filters.length - 1) {
      throw HeraldError.invalid(
        'audience_join',
        `audience_join needs ${filters.length - 1} entries (one between each pair of filters), got ${given.length}`,
      );
    }
    const bad = given.find((j) => j !== 'AND' && j !== 'OR');
    if (bad !== undefined) throw HeraldError.invalid('audience_join', `"${bad}" is not AND or OR`);
    joins = given as Array<'AND' | 'OR'>;
  }
  return { filters, joins };
}

function parseSetVariables(body: Record<string, unknown>): Record<string, string> | undefined {
  if (body.set_variables === undefined && body.set_variables_values === undefined) return undefined;
  if (body.set_variables === undefined) {
    throw HeraldError.invalid(
      'set_variables',
      'set_variables_values needs set_variables (the names of the variables to set)',
    );
  }
  if (body.set_variables_values === undefined) {
    throw HeraldError.invalid(
      'set_variables_values',
      'set_variables needs set_variables_values (one value per variable, ";"-separated)',
    );
  }
  const names = split(body.set_variables, 'set_variables', /;/);
  const values = split(body.set_variables_values, 'set_variables_values', /;/);
  if (names.some((n) => n.length === 0))
    throw HeraldError.invalid('set_variables', 'set_variables has an empty variable name');
  names.forEach((n) => checkLength(n, MAX_NAME, 'set_variables'));
  if (values.length !== names.length) {
    throw HeraldError.invalid(
      'set_variables_values',
      `set_variables_values has ${values.length} entries but set_variables has ${names.length}`,
    );
  }
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

function channelOf(value: unknown, field: string): Channel | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const channel = scalar(value)?.trim().toLowerCase() ?? '';
  if (!(CHANNELS as readonly string[]).includes(channel)) {
    throw HeraldError.invalid(
      field,
      `"${String(scalar(value) ?? typeof value)}" is not a channel`,
      `Use one of: ${CHANNELS.join(', ')}.`,
    );
  }
  return channel as Channel;
}

function identity(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = scalar(value)?.trim();
  if (text === undefined) throw HeraldError.invalid(field, `${field} must be a string`);
  if (text.length === 0) return undefined;
  if (text.length > max)
    throw HeraldError.invalid(field, `${field} is longer than ${max} characters`);
  return text;
}

/** A target from user_id / user_phone_number / bot_channel plus any other variables. */
function toTarget(fields: Record<string, unknown>, where: string): Target {
  const channel = channelOf(fields.bot_channel, `${where}.bot_channel`);
  const phone = identity(fields.user_phone_number, `${where}.user_phone_number`, MAX_PHONE);
  let userId = identity(fields.user_id, `${where}.user_id`, MAX_USER_ID);
  // On WhatsApp and SMS the user id is the phone number.
  if (!userId && phone && (channel === 'whatsapp' || channel === 'sms')) userId = phone;
  if (!userId && !phone) {
    throw HeraldError.invalid(`${where}.user_id`, `${where} needs user_id or user_phone_number`);
  }
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (TARGET_KEYS.has(key) || value === null || value === undefined) continue;
    if (key.length === 0 || key.length > MAX_NAME) {
      throw HeraldError.invalid(
        `${where}`,
        `${where} has a variable name that is empty or longer than ${MAX_NAME} characters`,
      );
    }
    variables[key] = scalar(value) ?? JSON.stringify(value);
  }
  return {
    ...(userId ? { userId } : {}),
    ...(phone ? { phone } : {}),
    ...(channel ? { channel } : {}),
    ...(Object.keys(variables).length > 0 ? { variables } : {}),
    // A contact can be created only when its channel is known (seed: "at least the user id and
    // bot channel"); otherwise an existing contact is looked up.
    create: Boolean(channel),
  };
}

function parseDelay(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_DELAY_MINUTES) {
    throw HeraldError.invalid(
      'delayminutes',
      `delayminutes must be a whole number from 0 to ${MAX_DELAY_MINUTES} (30 days)`,
    );
  }
  return n;
}

function parseTargets(value: unknown): Target[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw HeraldError.invalid(
      'targets',
      'targets must be a non-empty array of {"user_id", "bot_channel", ...variables}',
    );
  }
  if (value.length > MAX_TARGETS) {
    throw HeraldError.invalid(
      'targets',
      `targets may hold at most ${MAX_TARGETS} entries per call`,
      'Split them over several calls.',
    );
  }
  return value.map((t, i) => {
    if (typeof t !== 'object' || t === null || Array.isArray(t))
      throw HeraldError.invalid(`targets[${i}]`, `targets[${i}] must be an object`);
    return toTarget(t as Record<string, unknown>, `targets[${i}]`);
  });
}

function parseStrict(fields: Record<string, unknown>): ParsedHook {
  const delayMinutes = parseDelay(fields.delayminutes);
  const delay = delayMinutes !== undefined ? { delayMinutes } : {};

  if (fields.targets !== undefined) {
    const setVariables = parseSetVariables(fields);
    return {
      targets: parseTargets(fields.targets),
      ...(setVariables ? { setVariables } : {}),
      ...delay,
    };
  }
  if (fields.set_conversation === true || fields.set_conversation === 'true') {
    const values = parseSetVariables(fields);
    if (!values) {
      throw HeraldError.invalid(
        'set_variables',
        'set_conversation needs set_variables and set_variables_values with user_id or user_phone_number',
        'Add bot_channel too, so the conversation can be created when it does not exist.',
      );
    }
    // The identity fields say who; the other values become that contact's variables.
    return { targets: [toTarget(values, 'set_variables')], ...delay };
  }
  const setVariables = parseSetVariables(fields);
  const sets = setVariables ? { setVariables } : {};
  if (fields.audience_filters !== undefined)
    return { audience: parseAudience(fields), ...sets, ...delay };
  if (setVariables || delayMinutes !== undefined) return { ...sets, ...delay };
  throw HeraldError.invalid(
    'body',
    'The body builds no filter: send audience_filters/audience_criteria/audience_values, targets, or set_conversation.',
    'Or turn off the broadcast setting requireValidFilter to forward any JSON.',
  );
}

/**
 * `requireValidFilter` on: the body must build a filter, a targets list, or set_conversation
 * (set_variables or delayminutes alone keep the saved audience). Off: any JSON is accepted and
 * forwarded as `payload` ({{payload.x}} in content); the recognised parts still shape the run
 * when they are valid, and a targets list travels as targets, not again inside the payload.
 */
export function parseHookBody(body: unknown, options: { requireValidFilter: boolean }): ParsedHook {
  if (body === undefined || body === null || (typeof body === 'string' && body.length === 0))
    return {};
  const isObject = typeof body === 'object' && !Array.isArray(body);
  if (options.requireValidFilter) {
    if (!isObject) throw HeraldError.invalid('body', 'The body must be a JSON object.');
    return parseStrict(body as Record<string, unknown>);
  }
  if (!isObject) return { payload: body };
  const fields = body as Record<string, unknown>;
  let parsed: ParsedHook;
  try {
    parsed = parseStrict(fields);
  } catch {
    const delayMinutes = safeDelay(fields.delayminutes);
    return { payload: body, ...(delayMinutes !== undefined ? { delayMinutes } : {}) };
  }
  if (!parsed.targets || fields.targets === undefined) return { ...parsed, payload: body };
  const { targets: _travelsAsTargets, ...rest } = fields;
  return { ...parsed, payload: rest };
}

function safeDelay(value: unknown): number | undefined {
  try {
    return parseDelay(value);
  } catch {
    return undefined;
  }
}
