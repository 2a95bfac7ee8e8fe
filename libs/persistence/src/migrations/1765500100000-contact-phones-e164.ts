import type { MigrationInterface, QueryRunner } from 'typeorm';
import { phoneUserId } from '@herald/contracts';
import {
  canonicalPhoneOf,
  planContactPhones,
  type PhoneContactRow,
} from './contact-phone-merge.js';

const PAGE = 5_000;
const COLUMNS =
  'id, bot_id, channel, user_id, phone, email, fbid, variables, first_seen, last_seen, last_inbound_at, opted_out_at';

// Issue 13: WhatsApp and SMS contacts stored in E.164 (WhatsApp user ids are the number without
// its plus), one person written several ways merged into their most recently seen contact
// (variables folded oldest to newest, so the newest value wins; deliveries, run listings and
// skips move to the kept contact where that run has none of it yet). National numbers are read in
// the bot's `defaultCountry`. What it did is kept in `contact_phone_migration`: one row per merge
// (kept id, merged ids, their old user ids), one per number it could not read (left unchanged),
// and a summary row; the summary is also logged.
export class ContactPhonesE1641765500100000 implements MigrationInterface {
  name = 'ContactPhonesE1641765500100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE contact_phone_migration (
        id bigserial PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('merged', 'invalid', 'summary')),
        bot_id uuid,
        channel text,
        kept_contact_id uuid,
        merged_contact_ids uuid[],
        old_user_ids text[],
        new_user_id text,
        reason text,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    const countries = new Map<string, string | undefined>(
      (
        (await q.query(`SELECT id, settings->>'defaultCountry' AS country FROM bots`)) as Array<{
          id: string;
          country: string | null;
        }>
      ).map((b) => [b.id, b.country ?? undefined]),
    );
    const countryOf = (botId: string) => countries.get(botId);

    // 1. Every phone contact's canonical number, page by page (constant memory).
    await q.query(`DROP TABLE IF EXISTS pg_temp.phone_canon`);
    await q.query(
      `CREATE TEMP TABLE phone_canon (id uuid PRIMARY KEY, bot_id uuid, channel text, user_id text, e164 text)`,
    );
    let invalid = 0;
    let after: string | null = null;
    for (;;) {
      const rows = (await q.query(
        `SELECT id, bot_id, channel, user_id, phone FROM contacts
          WHERE channel IN ('whatsapp', 'sms') AND ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
        [after, PAGE],
      )) as Array<Pick<PhoneContactRow, 'id' | 'bot_id' | 'channel' | 'user_id' | 'phone'>>;
      if (rows.length === 0) break;
      after = rows[rows.length - 1].id;
      const canon: Array<{
        id: string;
        bot_id: string;
        channel: string;
        user_id: string;
        e164: string;
      }> = [];
      for (const row of rows) {
        const parsed = canonicalPhoneOf(row, countryOf(row.bot_id));
        if ('invalid' in parsed) {
          invalid += 1;
          await q.query(
            `INSERT INTO contact_phone_migration (kind, bot_id, channel, kept_contact_id, old_user_ids, reason) VALUES ('invalid', $1, $2, $3, $4, $5)`,
            [row.bot_id, row.channel, row.id, [row.user_id], `left unchanged: ${parsed.invalid}`],
          );
        } else {
          canon.push({
            id: row.id,
            bot_id: row.bot_id,
            channel: row.channel,
            user_id: phoneUserId(row.channel, parsed.e164),
            e164: parsed.e164,
          });
        }
      }
      await q.query(
        `INSERT INTO phone_canon SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[])`,
        [
          canon.map((c) => c.id),
          canon.map((c) => c.bot_id),
          canon.map((c) => c.channel),
          canon.map((c) => c.user_id),
          canon.map((c) => c.e164),
        ],
      );
    }

    // 2. People stored more than once: merge each group into its newest contact.
    const groups = (await q.query(
      `SELECT array_agg(id) AS ids FROM phone_canon GROUP BY bot_id, channel, user_id HAVING count(*) > 1`,
    )) as Array<{ ids: string[] }>;
    let merged = 0;
    for (const { ids } of groups) {
      const rows = (await q.query(`SELECT ${COLUMNS} FROM contacts WHERE id = ANY($1::uuid[])`, [
        ids,
      ])) as PhoneContactRow[];
      for (const { keep, merged: gone } of planContactPhones(rows, countryOf).people) {
        if (gone.length === 0) continue;
        const goneIds = gone.map((r) => r.id);
        // One at a time: a run may hold only one row per contact (the first moved wins; the rest stay as history).
        for (const goneId of goneIds) {
          for (const table of ['deliveries', 'run_listings']) {
            await q.query(
              `UPDATE ${table} t SET contact_id = $1 WHERE t.contact_id = $2
                 AND NOT EXISTS (SELECT 1 FROM ${table} k WHERE k.run_id = t.run_id AND k.contact_id = $1)`,
              [keep.id, goneId],
            );
          }
        }
        await q.query(`UPDATE run_skips SET contact_id = $1 WHERE contact_id = ANY($2::uuid[])`, [
          keep.id,
          goneIds,
        ]);
        await q.query(`DELETE FROM contacts WHERE id = ANY($1::uuid[])`, [goneIds]);
        await q.query(`DELETE FROM phone_canon WHERE id = ANY($1::uuid[])`, [goneIds]);
        await q.query(
          `UPDATE contacts SET user_id = $2, phone = $3, email = $4, fbid = $5, variables = $6::jsonb, first_seen = $7,
                  last_inbound_at = $8, opted_out_at = $9 WHERE id = $1`,
          [
            keep.id,
            keep.user_id,
            keep.phone,
            keep.email,
            keep.fbid,
            JSON.stringify(keep.variables),
            keep.first_seen,
            keep.last_inbound_at,
            keep.opted_out_at,
          ],
        );
        await q.query(
          `INSERT INTO contact_phone_migration (kind, bot_id, channel, kept_contact_id, merged_contact_ids, old_user_ids, new_user_id, reason)
           VALUES ('merged', $1, $2, $3, $4, $5, $6, $7)`,
          [
            keep.bot_id,
            keep.channel,
            keep.id,
            goneIds,
            rows.map((r) => r.user_id),
            keep.user_id,
            `${gone.length + 1} contacts were one person; kept the most recently seen, newest variables win`,
          ],
        );
        merged += gone.length;
      }
    }

    // 3. Everyone else: identities in canonical form.
    const normalised = (await q.query(
      `WITH changed AS (
         UPDATE contacts c SET user_id = p.user_id, phone = p.e164
           FROM phone_canon p WHERE c.id = p.id AND (c.user_id <> p.user_id OR c.phone IS DISTINCT FROM p.e164)
         RETURNING c.id)
       SELECT count(*)::int AS n FROM changed`,
    )) as Array<{ n: number }>;
    await q.query(`DROP TABLE pg_temp.phone_canon`);
    const summary = `contact phones: ${normalised[0]?.n ?? 0} normalised to E.164, ${merged} duplicates merged into ${groups.length} people, ${invalid} unreadable numbers left unchanged`;
    await q.query(`INSERT INTO contact_phone_migration (kind, reason) VALUES ('summary', $1)`, [
      summary,
    ]);
    console.log(`[migration ${this.name}] ${summary} (details: table contact_phone_migration)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Merges cannot be undone; the report stays readable until this drops it.
    await q.query(`DROP TABLE IF EXISTS contact_phone_migration`);
  }
}
