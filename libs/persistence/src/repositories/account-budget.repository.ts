// The shared side of pacing and breakers (delivery services): every replica claims its sends
// from one schedule per provider account, and learns when another replica found the account
// down. Times are the database's clock, so replicas' clocks need not agree.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

const NOW_MS = `extract(epoch FROM clock_timestamp()) * 1000`;

export interface ClaimedSlots {
  /**
   * When the first claimed send may go, in the database's milliseconds; null when nothing was
   * claimed because the account's schedule is already booked further ahead than the horizon.
   */
  startMs: number | null;
  /** Where the account's booked schedule ends (its next free slot), in the database's milliseconds. */
  endMs: number;
  /** The database's clock as it answered. */
  nowMs: number;
}

@Injectable()
export class AccountBudgetRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Claims `count` consecutive send slots `intervalMs` apart on the account's schedule, the
   * first no earlier than `toleranceMs` before now (a burst after a quiet spell), in one
   * statement: replicas claiming at once get disjoint slots. Nothing is claimed while the
   * schedule is booked more than `horizonMs` ahead (startMs null): slots a replica books and then
   * cannot use (it hands its people back, or stops) hold the account up for at most that long.
   */
  async claim(
    key: string,
    count: number,
    intervalMs: number,
    toleranceMs: number,
    horizonMs: number,
  ): Promise<ClaimedSlots> {
    const rows: Array<{ start_ms: number | null; end_ms: number; now_ms: number }> =
      await this.db.query(
        `WITH claimed AS (
           INSERT INTO account_budgets AS b (key, tat_ms) VALUES ($1, ${NOW_MS} + $2::float8 * $3::float8)
           ON CONFLICT (key) DO UPDATE SET tat_ms = GREATEST(b.tat_ms, ${NOW_MS} - $4::float8) + $2::float8 * $3::float8
            WHERE b.tat_ms <= ${NOW_MS} + $5::float8
           RETURNING tat_ms
         )
         SELECT (SELECT tat_ms FROM claimed) - $2::float8 * $3::float8 AS start_ms,
                COALESCE((SELECT tat_ms FROM claimed), (SELECT tat_ms FROM account_budgets WHERE key = $1)) AS end_ms,
                ${NOW_MS} AS now_ms`,
        [key, count, intervalMs, toleranceMs, horizonMs],
      );
    const row = rows[0];
    return {
      startMs: row.start_ms === null ? null : Number(row.start_ms),
      endMs: Number(row.end_ms),
      nowMs: Number(row.now_ms),
    };
  }

  /** Records that a replica's breaker found the account down, for `forMs` from now; returns the open-until stored. */
  async reportOpen(key: string, forMs: number): Promise<number> {
    const rows: Array<{ open_until_ms: number }> = await this.db.query(
      `INSERT INTO account_budgets AS b (key, open_until_ms) VALUES ($1, ${NOW_MS} + $2::float8)
       ON CONFLICT (key) DO UPDATE SET open_until_ms = GREATEST(b.open_until_ms, ${NOW_MS} + $2::float8)
       RETURNING open_until_ms`,
      [key, forMs],
    );
    return Number(rows[0].open_until_ms);
  }

  /** Accounts some replica reported down that are still within their open time: key → open-until. */
  async openAccounts(keyPrefix: string): Promise<Map<string, number>> {
    const rows: Array<{ key: string; open_until_ms: number }> = await this.db.query(
      `SELECT key, open_until_ms FROM account_budgets
        WHERE open_until_ms > ${NOW_MS} AND starts_with(key, $1)`,
      [keyPrefix],
    );
    return new Map(rows.map((r) => [r.key, Number(r.open_until_ms)]));
  }
}
