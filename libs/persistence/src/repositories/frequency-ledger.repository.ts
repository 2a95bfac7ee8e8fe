import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { deleteInChunks } from './returning.js';

/** The contact service's record of the broadcast messages capped bots asked to send each person (frequency caps, issue 13). */
@Injectable()
export class FrequencyLedgerRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Per contact: how many other runs of the bot messaged them within the last `hours`. */
  async recentCounts(
    botId: string,
    runId: string,
    contactIds: string[],
    hours: number,
  ): Promise<Map<string, number>> {
    if (contactIds.length === 0) return new Map();
    const rows: Array<{ contact_id: string; n: number }> = await this.db.query(
      `SELECT contact_id, count(*)::int AS n FROM frequency_ledger
        WHERE contact_id = ANY($2::uuid[]) AND bot_id = $1 AND run_id <> $3
          AND at > now() - make_interval(secs => $4)
        GROUP BY contact_id`,
      [botId, contactIds, runId, hours * 3600],
    );
    return new Map(rows.map((r) => [r.contact_id, r.n]));
  }

  /** Where a run came from (`hook`, `chatfuel-v2`, …), or null for an unknown run. */
  async runSource(runId: string): Promise<string | null> {
    const rows: Array<{ source: string }> = await this.db.query(
      `SELECT source FROM runs WHERE id = $1`,
      [runId],
    );
    return rows[0]?.source ?? null;
  }

  /** Records that this run messages these contacts (again: nothing changes). */
  async record(botId: string, runId: string, contactIds: string[]): Promise<void> {
    if (contactIds.length === 0) return;
    await this.db.query(
      `INSERT INTO frequency_ledger (contact_id, run_id, bot_id)
       SELECT unnest($3::uuid[]), $2, $1 ON CONFLICT DO NOTHING`,
      [botId, runId, contactIds],
    );
  }

  /**
   * Drops rows older than any cap can look back (31 days), `chunk` rows a statement (a broadcast
   * to millions leaves millions of rows); returns how many.
   */
  prune(chunk?: number): Promise<number> {
    return deleteInChunks(
      this.db,
      'frequency_ledger',
      'contact_id, run_id',
      `SELECT contact_id, run_id FROM frequency_ledger
        WHERE at < now() - interval '31 days' ORDER BY at LIMIT $1`,
      [],
      chunk,
    );
  }
}
