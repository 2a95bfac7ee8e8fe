// The gateway's contact search for the console: by id, user id, phone, email or Messenger id (each on an index),
// or by one variable (`name=value`, a keyset walk of the bot's contacts); and the runs that
// reached a contact, newest first.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface FoundContact {
  id: string;
  channel: string;
  userId: string;
  phone: string | null;
  email: string | null;
  fbid: string | null;
  variables: Record<string, unknown>;
  optedOutAt: Date | null;
  lastSeen: Date;
}

export interface ContactRun {
  runId: string;
  broadcastId: string | null;
  source: string;
  runStatus: string;
  deliveryStatus: string;
  reason: string | null;
  createdAt: Date;
}

const COLUMNS = `id, channel, user_id AS "userId", phone, email, fbid, variables, opted_out_at AS "optedOutAt", last_seen AS "lastSeen"`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class ContactSearchRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Contacts whose id, user id, phone, email or Messenger id is `q` exactly (one small page). */
  byIdentity(botId: string, q: string, limit: number): Promise<FoundContact[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM contacts
        WHERE bot_id = $1 AND (id = $4::uuid OR user_id = $2 OR phone = $2 OR lower(email) = lower($2) OR fbid = $2)
        ORDER BY id LIMIT $3`,
      [botId, q, limit, UUID.test(q) ? q : null],
    );
  }

  /** Contacts whose variable `name` equals `value` (text), in keyset pages by id. */
  byVariable(
    botId: string,
    name: string,
    value: string,
    afterId: string | null,
    limit: number,
  ): Promise<FoundContact[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM contacts
        WHERE bot_id = $1 AND variables ->> $2 = $3 AND ($4::uuid IS NULL OR id > $4::uuid)
        ORDER BY id LIMIT $5`,
      [botId, name, value, afterId, limit],
    );
  }

  /** The runs that reached a contact of the bot (a delivery row), newest first. */
  runsOf(botId: string, contactId: string, limit: number): Promise<ContactRun[]> {
    return this.db.query(
      `SELECT r.id AS "runId", r.broadcast_id AS "broadcastId", r.source, r.status AS "runStatus",
              d.status AS "deliveryStatus", d.reason, r.created_at AS "createdAt"
         FROM deliveries d JOIN runs r ON r.id = d.run_id
        WHERE d.contact_id = $2 AND d.bot_id = $1
        ORDER BY r.created_at DESC LIMIT $3`,
      [botId, contactId, limit],
    );
  }
}
