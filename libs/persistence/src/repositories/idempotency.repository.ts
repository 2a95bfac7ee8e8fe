// `Idempotency-Key` records of the gateway's public APIs, per bot. A request claims its key by inserting
// first (the primary key settles a concurrent duplicate), works, then stores its answer. A claim
// holds the run id it will use, so a request taken over after a crash re-publishes the same run
// (the audience stores a run id once) instead of starting a second one.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** How long a stored answer is replayed. */
export const IDEMPOTENCY_TTL_HOURS = 24;

/** `status_code` of a claim whose request is still being worked on. */
const PENDING = 0;

export interface StoredAnswer {
  status: number;
  body: unknown;
}

export type ClaimResult =
  /** This request owns the key and must use `runId`. */
  | { kind: 'claimed'; runId: string }
  /** A request with this key finished: replay its answer. */
  | { kind: 'done'; answer: StoredAnswer }
  /** Another request with this key is in flight (claimed less than `leaseSeconds` ago). */
  | { kind: 'busy' };

interface Row {
  status_code: number;
  response: { runId?: string } | unknown;
  stale: boolean;
}

@Injectable()
export class IdempotencyRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Claims `key` for this bot with `runId`, or reports what holds it. An expired answer (older
   * than 24 h) is replaced; a claim older than `leaseSeconds` (its request died) is taken over
   * with the run id it already held.
   */
  async claim(
    botId: string,
    key: string,
    runId: string,
    leaseSeconds: number,
    attempt = 0,
  ): Promise<ClaimResult> {
    const inserted: unknown[] = await this.db.query(
      `INSERT INTO idempotency_keys (bot_id, key, status_code, response)
       VALUES ($1, $2, ${PENDING}, $3::jsonb)
       ON CONFLICT (bot_id, key) DO UPDATE
         SET status_code = ${PENDING}, response = EXCLUDED.response, created_at = now()
         WHERE idempotency_keys.created_at < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})
       RETURNING bot_id`,
      [botId, key, JSON.stringify({ runId })],
    );
    if (inserted.length > 0) return { kind: 'claimed', runId };

    const rows: Row[] = await this.db.query(
      `SELECT status_code, response, created_at < now() - make_interval(secs => $3) AS stale
         FROM idempotency_keys WHERE bot_id = $1 AND key = $2`,
      [botId, key, leaseSeconds],
    );
    const row = rows[0];
    // Released (deleted) between the two statements: try once more from the start.
    if (!row)
      return attempt === 0 ? this.claim(botId, key, runId, leaseSeconds, 1) : { kind: 'busy' };
    if (row.status_code !== PENDING)
      return { kind: 'done', answer: { status: row.status_code, body: row.response } };
    if (!row.stale) return { kind: 'busy' };

    const heldRunId = (row.response as { runId?: string }).runId ?? runId;
    const taken: unknown[] = await this.db.query(
      `UPDATE idempotency_keys SET created_at = now()
        WHERE bot_id = $1 AND key = $2 AND status_code = ${PENDING}
          AND created_at < now() - make_interval(secs => $3)
        RETURNING bot_id`,
      [botId, key, leaseSeconds],
    );
    return taken.length > 0 ? { kind: 'claimed', runId: heldRunId } : { kind: 'busy' };
  }

  /** Stores the answer of a claimed key; later requests with the key get it back. */
  async complete(botId: string, key: string, answer: StoredAnswer): Promise<void> {
    await this.db.query(
      `UPDATE idempotency_keys SET status_code = $3, response = $4::jsonb
        WHERE bot_id = $1 AND key = $2 AND status_code = ${PENDING}`,
      [botId, key, answer.status, JSON.stringify(answer.body)],
    );
  }

  /** Gives a claimed key back (the request failed and started nothing): a retry may use it. */
  async release(botId: string, key: string, runId: string): Promise<void> {
    await this.db.query(
      `DELETE FROM idempotency_keys
        WHERE bot_id = $1 AND key = $2 AND status_code = ${PENDING} AND response->>'runId' = $3`,
      [botId, key, runId],
    );
  }

  /** Deletes up to `limit` expired records (oldest first); returns how many. */
  async purgeExpired(limit: number): Promise<number> {
    const rows: unknown[] = await this.db.query(
      `DELETE FROM idempotency_keys WHERE (bot_id, key) IN (
         SELECT bot_id, key FROM idempotency_keys
          WHERE created_at < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})
          ORDER BY created_at LIMIT $1)
       RETURNING bot_id`,
      [limit],
    );
    return rows.length;
  }
}
