// Rows of an operator's contact import: `[{channel, user_id, phone?, email?, fbid?, variables?}]`,
// at most 10,000 per call. Pure; every problem found (up to 20) is named by its row and field.
import { CHANNELS, type Channel } from '@herald/contracts';
import { HeraldError } from '@herald/errors';
import type { ContactUpsert } from '@herald/persistence';

export const MAX_IMPORT_ROWS = 10_000;
const MAX_PROBLEMS = 20;
const FIELDS = ['channel', 'user_id', 'phone', 'email', 'fbid', 'variables'];
const LIMITS: Record<string, number> = { user_id: 256, phone: 32, email: 320, fbid: 256 };

export function parseContactImport(body: unknown): ContactUpsert[] {
  const rows = Array.isArray(body) ? body : (body as { contacts?: unknown } | null)?.contacts;
  if (!Array.isArray(rows)) {
    throw HeraldError.invalid(
      'body',
      'The body must be an array of contacts.',
      'Send [{"channel": "whatsapp", "user_id": "15551234567", "variables": {"first_name": "Ada"}}].',
    );
  }
  if (rows.length === 0) throw HeraldError.invalid('body', 'The array of contacts is empty.');
  if (rows.length > MAX_IMPORT_ROWS) {
    throw HeraldError.invalid(
      'body',
      `At most ${MAX_IMPORT_ROWS} contacts per call; this one has ${rows.length}.`,
      'Split the import into several calls.',
    );
  }
  const problems: string[] = [];
  let firstField: string | undefined;
  const out: ContactUpsert[] = [];
  for (const [i, row] of rows.entries()) {
    if (problems.length >= MAX_PROBLEMS) break;
    const problem = (field: string, message: string) => {
      const path = `[${i}]${field ? `.${field}` : ''}`;
      firstField ??= path;
      problems.push(`${path} ${message}`);
    };
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      problem('', 'must be an object');
      continue;
    }
    const fields = row as Record<string, unknown>;
    const extra = Object.keys(fields).find((k) => !FIELDS.includes(k));
    if (extra !== undefined)
      problem(extra, `is not a contact field (the fields are ${FIELDS.join(', ')})`);
    const channel =
      typeof fields.channel === 'string' ? fields.channel.trim().toLowerCase() : undefined;
    if (!channel || !(CHANNELS as readonly string[]).includes(channel))
      problem('channel', `must be one of ${CHANNELS.join(', ')}`);
    const values: Record<string, string | undefined> = {};
    for (const name of ['user_id', 'phone', 'email', 'fbid']) {
      const value = fields[name];
      if (value === undefined || value === null || value === '') continue;
      if (typeof value !== 'string' && typeof value !== 'number') {
        problem(name, 'must be a string');
        continue;
      }
      const text = String(value).trim();
      if (text.length === 0 || text.length > LIMITS[name])
        problem(name, `must be 1 to ${LIMITS[name]} characters`);
      else values[name] = text;
    }
    // On WhatsApp and SMS the user id is the phone number.
    const userId =
      values.user_id ?? (channel === 'whatsapp' || channel === 'sms' ? values.phone : undefined);
    if (!userId)
      problem(
        'user_id',
        channel === 'messenger' ? 'is required' : 'is required (or phone, on WhatsApp and SMS)',
      );
    const variables: Record<string, string> = {};
    if (fields.variables !== undefined && fields.variables !== null) {
      if (typeof fields.variables !== 'object' || Array.isArray(fields.variables)) {
        problem('variables', 'must be an object of name: value');
      } else {
        for (const [name, value] of Object.entries(fields.variables as Record<string, unknown>)) {
          if (name.length === 0 || name.length > 128)
            problem('variables', `has a name that is empty or longer than 128 characters`);
          else if (value === null || typeof value === 'object')
            problem(`variables.${name}`, 'must be a string, number or boolean');
          else variables[name] = String(value);
        }
      }
    }
    if (channel && userId) {
      out.push({
        channel: channel as Channel,
        userId,
        ...(values.phone ? { phone: values.phone } : {}),
        ...(values.email ? { email: values.email } : {}),
        ...(values.fbid ? { fbid: values.fbid } : {}),
        variables,
      });
    }
  }
  if (problems.length > 0) {
    throw HeraldError.invalid(
      firstField ?? 'body',
      `${problems.length >= MAX_PROBLEMS ? `${MAX_PROBLEMS}+` : problems.length} contact row(s) are invalid: ${problems.join('; ')}`,
      'Nothing was imported; fix these rows and send the call again.',
    );
  }
  return out;
}
