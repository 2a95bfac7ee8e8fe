import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Channel } from '@herald/contracts';
import { updateReturning } from './returning.js';
import {
  CONTACT_COLUMNS,
  mergeByPerson,
  toContact,
  upsertParams,
  upsertStatement,
  type ContactRow,
  type ContactUpsert,
} from './contact-rows.js';
import type { ContactEntity } from '../entities/contact.entity.js';

/**
 * The gateway's contacts: it reads them (admin pages, CSML's user ids) and writes them in two
 * cases that must answer the caller synchronously: the admin API's import (applied whole or
 * not at all, answered with what it created) and a Chatfuel V1 attribute-only call (answered
 * with whether the person is known). Every other write is the contact service's.
 */
@Injectable()
export class GatewayContactRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Existing contacts by user id on any channel (targets that do not name their channel). */
  async findByUserIds(botId: string, userIds: string[]): Promise<ContactEntity[]> {
    if (userIds.length === 0) return [];
    const rows: ContactRow[] = await this.db.query(
      `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE bot_id = $1 AND user_id = ANY($2::text[])`,
      [botId, userIds],
    );
    return rows.map(toContact);
  }

  /** One keyset page of the bot's contacts after `afterId` (never OFFSET). */
  async page(botId: string, afterId: string | null, limit: number): Promise<ContactEntity[]> {
    const rows: ContactRow[] = await this.db.query(
      `SELECT ${CONTACT_COLUMNS} FROM contacts
        WHERE bot_id = $1 AND ($2::uuid IS NULL OR id > $2::uuid)
        ORDER BY id LIMIT $3`,
      [botId, afterId, limit],
    );
    return rows.map(toContact);
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
