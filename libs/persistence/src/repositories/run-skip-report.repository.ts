import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { RunSkip } from './run-skip.repository.js';

/** The console's run page: a run's skipped people and why (written by the audience service). Reads only. */
@Injectable()
export class RunSkipReportRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A keyset page of a run's skips, by id. */
  async pageForRun(runId: string, afterId: string | null, limit: number): Promise<RunSkip[]> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT run_id, id, contact_id, recipient, channel, reason, at FROM run_skips
        WHERE run_id = $1 AND ($2::uuid IS NULL OR id > $2::uuid) ORDER BY id LIMIT $3`,
      [runId, afterId, limit],
    );
    return rows.map((r) => ({
      runId: r.run_id as string,
      id: r.id as string,
      contactId: (r.contact_id as string | null) ?? null,
      recipient: (r.recipient as string | null) ?? null,
      channel: (r.channel as string | null) ?? null,
      reason: r.reason as string,
      at: r.at as Date,
    }));
  }
}
