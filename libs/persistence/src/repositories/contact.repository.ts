import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Channel } from '@herald/contracts';
import {
  CONTACT_COLUMNS,
  mergeByPerson,
  phoneForms,
  REACH_COLUMNS,
  toContact,
  toContactToReach,
  upsertParams,
  upsertStatement,
  type ContactRow,
  type ContactUpsert,
  type ReachRow,
} from './contact-rows.js';
import type { ContactEntity, ContactToReach } from '../entities/contact.entity.js';

/** The identities a target may name a person by (V2: customer id, phone, email, Messenger id). */
export interface IdentityLookup {
  userIds: string[];
  phones: string[];
  emails: string[];
  fbids: string[];
}

/** Changes to one known contact: identities given by a target (V2 identity update) and variables. */
export interface ContactUpdate {
  id: string;
  phone?: string;
  email?: string;
  fbid?: string;
  variables: Record<string, string>;
}

/** A person wrote to a bot: the provider account they wrote to and who they are there. */
export interface InboundContact {
  channel: Channel;
  /** Phone number id, Twilio AccountSid or Page id. */
  account: string;
  sender: string;
  /** SMS: the number written to, and its Messaging Service. */
  to?: string;
  messagingServiceSid?: string;
  at: Date;
  keyword?: 'opt_out' | 'opt_in';
  /** The bots the verified webhook speaks for; absent: every bot naming the account. */
  botIds?: readonly string[];
}

/**
 * The contact service's contacts: find or create each person of a page of targets, apply their
 * identity and variable changes, and record people writing in (last inbound time, opt-out).
 */
@Injectable()
export class ContactRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Creates the missing contacts and merges variables into existing ones, in one statement.
   * Rows for the same person are merged first (a statement may touch a row only once).
   */
  async upsertMany(botId: string, rows: ContactUpsert[]): Promise<ContactEntity[]> {
    if (rows.length === 0) return [];
    const list = mergeByPerson(rows);
    const result: ContactRow[] = await this.db.query(
      upsertStatement(CONTACT_COLUMNS),
      upsertParams(botId, list),
    );
    return result.map(toContact);
  }

  /** Merges variables into contacts known by id (targets resolved from the audience). */
  async mergeVariables(
    botId: string,
    contactIds: string[],
    variables: Record<string, string>,
  ): Promise<ContactEntity[]> {
    if (contactIds.length === 0) return [];
    const rows: ContactRow[] = await this.db.query(
      // A SELECT over the UPDATE, so the driver answers rows (an UPDATE answers [rows, count]).
      `WITH merged AS (
         UPDATE contacts SET variables = variables || $3::jsonb, last_seen = now()
          WHERE bot_id = $1 AND id = ANY($2::uuid[]) RETURNING ${CONTACT_COLUMNS}
       )
       SELECT * FROM merged`,
      [botId, contactIds, JSON.stringify(variables)],
    );
    return rows.map(toContact);
  }

  /**
   * Every contact of the bot one of the identities names, on any channel: user id (or a phone
   * stored as the user id), phone in any of its forms, email (case-insensitive), Messenger id.
   */
  async findByIdentities(botId: string, lookup: IdentityLookup): Promise<ContactEntity[]> {
    const phones = [...new Set(lookup.phones.flatMap(phoneForms))];
    const userIds = [...new Set([...lookup.userIds, ...phones, ...lookup.fbids])];
    const emails = [...new Set(lookup.emails.map((e) => e.toLowerCase()))];
    if (userIds.length + phones.length + emails.length + lookup.fbids.length === 0) return [];
    const rows: ContactRow[] = await this.db.query(
      `SELECT ${CONTACT_COLUMNS} FROM contacts
        WHERE bot_id = $1
          AND (user_id = ANY($2::text[]) OR phone = ANY($3::text[]) OR lower(email) = ANY($4::text[]) OR fbid = ANY($5::text[]))`,
      [botId, userIds, phones, emails, lookup.fbids],
    );
    return rows.map(toContact);
  }

  /**
   * Applies each contact's own changes in one statement: identities given replace the stored
   * ones (V2's identity update), variables merge over the stored ones.
   */
  async updateMany(botId: string, updates: ContactUpdate[]): Promise<ContactEntity[]> {
    if (updates.length === 0) return [];
    const merged = new Map<string, ContactUpdate>();
    for (const u of updates) {
      const prev = merged.get(u.id);
      merged.set(
        u.id,
        prev ? { ...prev, ...u, variables: { ...prev.variables, ...u.variables } } : u,
      );
    }
    const list = [...merged.values()];
    const rows: ContactRow[] = await this.db.query(
      `WITH updated AS (
         UPDATE contacts c SET
                phone = COALESCE(u.phone, c.phone), email = COALESCE(u.email, c.email), fbid = COALESCE(u.fbid, c.fbid),
                variables = c.variables || u.variables, last_seen = now()
           FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) AS u(id, phone, email, fbid, variables)
          WHERE c.bot_id = $1 AND c.id = u.id
         RETURNING ${CONTACT_COLUMNS.split(', ')
           .map((c) => `c.${c}`)
           .join(', ')}
       )
       -- A SELECT, so the driver answers rows (an UPDATE answers [rows, count]).
       SELECT * FROM updated`,
      [
        botId,
        list.map((u) => u.id),
        list.map((u) => u.phone ?? null),
        list.map((u) => u.email ?? null),
        list.map((u) => u.fbid ?? null),
        list.map((u) => JSON.stringify(u.variables)),
      ],
    );
    return rows.map(toContact);
  }

  /**
   * Records people writing in, in one statement: the contacts of the bots owning the account
   * get their last inbound time (never moved back) and, for SMS keywords, are opted out or in;
   * a person not yet known becomes a contact, so an opt-out holds before their first broadcast.
   * Returns how many contacts were updated and created.
   */
  async recordInbound(events: InboundContact[]): Promise<{ updated: number; created: number }> {
    if (events.length === 0) return { updated: 0, created: 0 };
    const [row]: Array<{ updated: string; created: string }> = await this.db.query(
      `WITH x AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[])
                WITH ORDINALITY AS x(channel, account, sender, to_number, service, at, keyword, bots, idx)
       ), owners AS (
         SELECT x.*, ch.bot_id, regexp_replace(x.sender, '\\D', '', 'g') AS digits
           FROM x JOIN channels ch ON ch.type = x.channel AND ch.enabled
            -- Only the bots the webhook's signature speaks for (another tenant naming the same
            -- account signs for itself alone).
            AND (x.bots IS NULL OR ch.bot_id::text = ANY(string_to_array(x.bots, ',')))
            AND (
                (x.channel = 'whatsapp' AND ch.config->>'phoneNumberId' = x.account)
             OR (x.channel = 'messenger' AND ch.config->>'pageId' = x.account)
             OR (x.channel = 'sms' AND ch.config->>'accountSid' = x.account
                 AND (ch.config->>'from' = x.to_number OR ch.config->>'messagingServiceSid' = x.service)))
       ), hits AS (
         SELECT DISTINCT ON (c.id) c.id, o.idx, o.bot_id, o.at, o.keyword
           FROM owners o JOIN contacts c ON c.bot_id = o.bot_id AND c.channel = o.channel AND (
                (o.channel = 'messenger' AND (c.user_id = o.sender OR c.fbid = o.sender))
             OR (o.channel <> 'messenger' AND o.digits <> ''
                 AND (c.user_id IN (o.sender, '+' || o.digits, o.digits) OR c.phone IN (o.sender, '+' || o.digits, o.digits))))
          ORDER BY c.id, o.at DESC
       ), updated AS (
         UPDATE contacts c SET
                last_inbound_at = GREATEST(c.last_inbound_at, h.at),
                opted_out_at = CASE
                  WHEN h.keyword = 'opt_out' THEN COALESCE(c.opted_out_at, h.at)
                  WHEN h.keyword = 'opt_in' AND c.opted_out_at <= h.at THEN NULL
                  ELSE c.opted_out_at END,
                last_seen = now()
           FROM hits h WHERE c.id = h.id
         RETURNING c.id
       ), created AS (
         INSERT INTO contacts (id, bot_id, channel, user_id, phone, fbid, variables, last_inbound_at, opted_out_at)
         SELECT DISTINCT ON (o.bot_id, o.channel, o.user_id) gen_random_uuid(), o.bot_id, o.channel, o.user_id, o.phone, o.fbid, '{}'::jsonb, o.at,
                CASE WHEN o.keyword = 'opt_out' THEN o.at END
           FROM (
             SELECT o.*,
                    CASE o.channel WHEN 'messenger' THEN o.sender WHEN 'sms' THEN '+' || o.digits ELSE o.digits END AS user_id,
                    CASE WHEN o.channel = 'messenger' THEN NULL ELSE '+' || o.digits END AS phone,
                    CASE WHEN o.channel = 'messenger' THEN o.sender END AS fbid
               FROM owners o
              WHERE (o.channel = 'messenger' OR o.digits <> '')
                AND NOT EXISTS (SELECT 1 FROM hits h WHERE h.idx = o.idx AND h.bot_id = o.bot_id)
           ) o
          ORDER BY o.bot_id, o.channel, o.user_id, o.at DESC
         ON CONFLICT (bot_id, channel, user_id) DO UPDATE SET
                last_inbound_at = GREATEST(contacts.last_inbound_at, EXCLUDED.last_inbound_at),
                opted_out_at = COALESCE(contacts.opted_out_at, EXCLUDED.opted_out_at),
                last_seen = now()
         RETURNING id
       )
       SELECT (SELECT count(*) FROM updated) AS updated, (SELECT count(*) FROM created) AS created`,
      [
        events.map((e) => e.channel),
        events.map((e) => e.account),
        events.map((e) => e.sender),
        events.map((e) => e.to ?? null),
        events.map((e) => e.messagingServiceSid ?? null),
        events.map((e) => e.at),
        events.map((e) => e.keyword ?? null),
        events.map((e) => (e.botIds ? e.botIds.join(',') : null)),
      ],
    );
    return { updated: Number(row?.updated ?? 0), created: Number(row?.created ?? 0) };
  }

  /** The bot's contacts among `contactIds` (an audience page), with what a send needs only. */
  async findByIds(botId: string, contactIds: string[]): Promise<ContactToReach[]> {
    if (contactIds.length === 0) return [];
    const rows: ReachRow[] = await this.db.query(
      `SELECT ${REACH_COLUMNS} FROM contacts WHERE bot_id = $1 AND id = ANY($2::uuid[])`,
      [botId, contactIds],
    );
    return rows.map((row) => toContactToReach(row, botId));
  }
}
