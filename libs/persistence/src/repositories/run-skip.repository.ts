// One row per person a run skipped, with the reason: the audience service writes them as it
// folds delivery results (the console's run page reads them through RunSkipReportRepository).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface RunSkip {
  runId: string;
  /** The skip's own id (its delivery result's event id): idempotent under redelivery. */
  id: string;
  contactId: string | null;
  recipient: string | null;
  channel: string | null;
  reason: string;
  at: Date;
}

@Injectable()
export class RunSkipRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Records skips once each (a redelivered result changes nothing). One statement per batch. */
  async record(skips: RunSkip[]): Promise<void> {
    if (skips.length === 0) return;
    await this.db.query(
      `INSERT INTO run_skips (run_id, id, contact_id, recipient, channel, reason, at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
       ON CONFLICT DO NOTHING`,
      [
        skips.map((s) => s.runId),
        skips.map((s) => s.id),
        skips.map((s) => s.contactId),
        skips.map((s) => s.recipient),
        skips.map((s) => s.channel),
        skips.map((s) => s.reason),
        skips.map((s) => s.at),
      ],
    );
  }
}
