// How contacts rows are read and upserted, shared by the contact service's and the gateway's
// repositories (find-or-create, and the admin import).
import { randomUUID } from 'node:crypto';
import type { Channel } from '@herald/contracts';
import type { ContactEntity, ContactToReach } from '../entities/contact.entity.js';

export interface ContactKey {
  channel: Channel;
  userId: string;
}

export interface ContactUpsert extends ContactKey {
  phone?: string;
  email?: string;
  fbid?: string;
  variables: Record<string, string>;
}

export interface ContactRow {
  id: string;
  bot_id: string;
  channel: Channel;
  user_id: string;
  phone: string | null;
  email: string | null;
  fbid: string | null;
  variables: Record<string, string>;
  first_seen: Date;
  last_seen: Date;
  last_inbound_at: Date | null;
  opted_out_at: Date | null;
}

export const CONTACT_COLUMNS =
  'id, bot_id, channel, user_id, phone, email, fbid, variables, first_seen, last_seen, last_inbound_at, opted_out_at';

/** The columns of a ContactToReach (the bot is the query's). */
export const REACH_COLUMNS =
  'id, channel, user_id, phone, email, fbid, variables, last_inbound_at, opted_out_at';

export type ReachRow = Omit<ContactRow, 'bot_id' | 'first_seen' | 'last_seen'>;

export function toContactToReach(row: ReachRow, botId: string): ContactToReach {
  return {
    id: row.id,
    botId,
    channel: row.channel,
    userId: row.user_id,
    phone: row.phone,
    email: row.email,
    fbid: row.fbid,
    variables: row.variables,
    lastInboundAt: row.last_inbound_at,
    optedOutAt: row.opted_out_at,
  };
}

export function toContact(row: ContactRow): ContactEntity {
  return {
    ...toContactToReach(row, row.bot_id),
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
  };
}

const contactKeyOf = (k: ContactKey) => `${k.channel}\u0000${k.userId}`;

/** The forms one phone number may be stored in: as given, "+" and digits, digits only. */
export function phoneForms(phone: string): string[] {
  const digits = phone.replace(/\D/g, '');
  return [...new Set([phone, ...(digits ? [`+${digits}`, digits] : [])])];
}

/** Rows for the same person merged into one: a statement may touch a row only once. */
export function mergeByPerson(rows: ContactUpsert[]): ContactUpsert[] {
  const merged = new Map<string, ContactUpsert>();
  for (const row of rows) {
    const prev = merged.get(contactKeyOf(row));
    merged.set(
      contactKeyOf(row),
      prev ? { ...prev, ...row, variables: { ...prev.variables, ...row.variables } } : row,
    );
  }
  return [...merged.values()];
}

/** Creates missing contacts and updates the others: identities replaced when given, variables merged. */
export function upsertStatement(returning: string): string {
  return `INSERT INTO contacts (id, bot_id, channel, user_id, phone, email, fbid, variables)
       SELECT u.id, $1, u.channel, u.user_id, u.phone, u.email, u.fbid, u.variables
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
              AS u(id, channel, user_id, phone, email, fbid, variables)
       ON CONFLICT (bot_id, channel, user_id) DO UPDATE SET
         variables = contacts.variables || EXCLUDED.variables,
         phone = COALESCE(EXCLUDED.phone, contacts.phone),
         email = COALESCE(EXCLUDED.email, contacts.email),
         fbid = COALESCE(EXCLUDED.fbid, contacts.fbid),
         last_seen = now()
       RETURNING ${returning}`;
}

export function upsertParams(botId: string, list: ContactUpsert[]): unknown[] {
  return [
    botId,
    list.map(() => randomUUID()),
    list.map((r) => r.channel),
    list.map((r) => r.userId),
    list.map((r) => r.phone ?? null),
    list.map((r) => r.email ?? null),
    list.map((r) => r.fbid ?? null),
    list.map((r) => JSON.stringify(r.variables)),
  ];
}
