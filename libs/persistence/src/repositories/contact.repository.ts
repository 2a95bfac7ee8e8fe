import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Channel } from '@herald/contracts';
import { updateReturning } from './returning.js';
import type { ContactEntity } from '../entities/contact.entity.js';

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

interface ContactRow {
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

const COLUMNS =
  'id, bot_id, channel, user_id, phone, email, fbid, variables, first_seen, last_seen, last_inbound_at, opted_out_at';

function toEntity(row: ContactRow): ContactEntity {
  return {
    id: row.id,
    botId: row.bot_id,
    channel: row.channel,
    userId: row.user_id,
    phone: row.phone,
    email: row.email,
    fbid: row.fbid,
    variables: row.variables,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    lastInboundAt: row.last_inbound_at,
    optedOutAt: row.opted_out_at,
  };
}

/** A boolean SQL condition on the contacts row `alias`, placeholders numbered from `firstParam` (an audience filter). */
export interface ContactCondition {
  toSql(alias: string, firstParam: number): { sql: string; params: unknown[] };
}

export interface ContactScan {
  where: ContactCondition;
  /** A channel every match is on (the audience requires it): the (bot_id, channel, id) index then bounds the walk. */
  channel?: string;
}

const keyOf = (k: ContactKey) => `${k.channel}\u0000${k.userId}`;

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
}

/** The forms one phone number may be stored in: as given, "+" and digits, digits only. */
export function phoneForms(phone: string): string[] {
  const digits = phone.replace(/\D/g, '');
  return [...new Set([phone, ...(digits ? [`+${digits}`, digits] : [])])];
}

/** Rows for the same person merged into one: a statement may touch a row only once. */
function mergeByPerson(rows: ContactUpsert[]): ContactUpsert[] {
  const merged = new Map<string, ContactUpsert>();
  for (const row of rows) {
    const prev = merged.get(keyOf(row));
    merged.set(
      keyOf(row),
      prev ? { ...prev, ...row, variables: { ...prev.variables, ...row.variables } } : row,
    );
  }
  return [...merged.values()];
}

/** Creates missing contacts and updates the others: identities replaced when given, variables merged. */
function upsertStatement(returning: string): string {
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

function upsertParams(botId: string, list: ContactUpsert[]): unknown[] {
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
      upsertStatement(COLUMNS),
      upsertParams(botId, list),
    );
    return result.map(toEntity);
  }

  /** Existing contacts by user id on any channel (targets that do not name their channel). */
  async findByUserIds(botId: string, userIds: string[]): Promise<ContactEntity[]> {
    if (userIds.length === 0) return [];
    const rows: ContactRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM contacts WHERE bot_id = $1 AND user_id = ANY($2::text[])`,
      [botId, userIds],
    );
    return rows.map(toEntity);
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
          WHERE bot_id = $1 AND id = ANY($2::uuid[]) RETURNING ${COLUMNS}
       )
       SELECT * FROM merged`,
      [botId, contactIds, JSON.stringify(variables)],
    );
    return rows.map(toEntity);
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
      `SELECT ${COLUMNS} FROM contacts
        WHERE bot_id = $1
          AND (user_id = ANY($2::text[]) OR phone = ANY($3::text[]) OR lower(email) = ANY($4::text[]) OR fbid = ANY($5::text[]))`,
      [botId, userIds, phones, emails, lookup.fbids],
    );
    return rows.map(toEntity);
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
         RETURNING ${COLUMNS.split(', ')
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
    return rows.map(toEntity);
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
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])
                WITH ORDINALITY AS x(channel, account, sender, to_number, service, at, keyword, idx)
       ), owners AS (
         SELECT x.*, ch.bot_id, regexp_replace(x.sender, '\\D', '', 'g') AS digits
           FROM x JOIN channels ch ON ch.type = x.channel AND ch.enabled AND (
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
      ],
    );
    return { updated: Number(row?.updated ?? 0), created: Number(row?.created ?? 0) };
  }

  async findByIds(botId: string, contactIds: string[]): Promise<ContactEntity[]> {
    if (contactIds.length === 0) return [];
    const rows: ContactRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM contacts WHERE bot_id = $1 AND id = ANY($2::uuid[])`,
      [botId, contactIds],
    );
    return rows.map(toEntity);
  }

  /** The ids of one keyset page of the bot's contacts after `afterId`, in id order (no OFFSET, no sort). */
  async pageIds(botId: string, afterId: string | null, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(
      `SELECT c.id FROM contacts c WHERE c.bot_id = $1 AND ($2::uuid IS NULL OR c.id > $2::uuid) ORDER BY c.id LIMIT $3`,
      [botId, afterId, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Scans the next `window` contacts of the bot after `afterId` in id order and returns the
   * first `want` of them that meet `scan.where`, the last id scanned, and how many contacts it
   * took to find the matches (`used`: all scanned, or up to the last match when `want` was reached). The condition is
   * evaluated on the window, never planned as the search itself: however the planner misjudges
   * a JSONB condition, each call walks the (bot_id, id) or (bot_id, channel, id) index over at
   * most `window` rows, so a whole audience costs one pass and constant memory.
   */
  async scanIds(
    botId: string,
    afterId: string | null,
    window: number,
    want: number,
    scan: ContactScan,
  ): Promise<{ matched: string[]; lastScanned: string | null; scanned: number; used: number }> {
    const condition = scan.where.toSql('c', 6);
    const rows: Array<{
      matched: string[] | null;
      last_scanned: string | null;
      scanned: number;
      used: number;
    }> = await this.db.query(
      `WITH w AS MATERIALIZED (
         SELECT c.id, (${condition.sql}) AS m FROM contacts c
          WHERE c.bot_id = $1 AND ($2::uuid IS NULL OR c.id > $2::uuid) AND ($5::text IS NULL OR c.channel = $5::text)
          ORDER BY c.id LIMIT $3),
       s AS MATERIALIZED (SELECT id FROM w WHERE m ORDER BY id LIMIT $4)
       SELECT (SELECT array_agg(id::text ORDER BY id) FROM s) AS matched,
              (SELECT id::text FROM w ORDER BY id DESC LIMIT 1) AS last_scanned,
              (SELECT count(*) FROM w)::int AS scanned,
              (SELECT count(*) FROM w WHERE (SELECT count(*) FROM s) < $4 OR id <= (SELECT id FROM s ORDER BY id DESC LIMIT 1))::int AS used`,
      [botId, afterId, window, want, scan.channel ?? null, ...condition.params],
    );
    const row = rows[0];
    return {
      matched: row.matched ?? [],
      lastScanned: row.last_scanned,
      scanned: row.scanned,
      used: row.used,
    };
  }

  /** One keyset page of the bot's contacts after `afterId` (never OFFSET). */
  async page(botId: string, afterId: string | null, limit: number): Promise<ContactEntity[]> {
    const rows: ContactRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM contacts
        WHERE bot_id = $1 AND ($2::uuid IS NULL OR id > $2::uuid)
        ORDER BY id LIMIT $3`,
      [botId, afterId, limit],
    );
    return rows.map(toEntity);
  }

  /**
   * Operator bulk import: creates the missing contacts and updates the others (identities
   * replaced when given, variables merged), in batched statements inside one transaction, so a
   * call is applied whole or not at all. Rows for the same person are merged first.
   */
  async importMany(
    botId: string,
    rows: ContactUpsert[],
    batchSize = 2_000,
  ): Promise<{ created: number; updated: number }> {
    const list = mergeByPerson(rows);
    let created = 0;
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < list.length; i += batchSize) {
        const batch = list.slice(i, i + batchSize);
        const result: Array<{ inserted: boolean }> = await tx.query(
          upsertStatement('(xmax = 0) AS inserted'),
          upsertParams(botId, batch),
        );
        created += result.filter((r) => r.inserted).length;
      }
    });
    return { created, updated: list.length - created };
  }

  /**
   * Merges variables into the bot's contact on `channel` whose user id or fbid is `userId`
   * (a Chatfuel-style attribute update). Returns how many contacts changed (0 when unknown).
   */
  async setVariablesForUser(
    botId: string,
    channel: Channel,
    userId: string,
    variables: Record<string, string>,
  ): Promise<number> {
    const rows = await updateReturning<{ id: string }>(
      this.db,
      `UPDATE contacts SET variables = variables || $4::jsonb, last_seen = now()
        WHERE bot_id = $1 AND channel = $2 AND (user_id = $3 OR fbid = $3) RETURNING id`,
      [botId, channel, userId, JSON.stringify(variables)],
    );
    return rows.length;
  }
}
