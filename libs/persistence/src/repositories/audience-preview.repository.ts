// The gateway's audience preview: who a saved audience reaches, for the console's live count: a count bounded by `cap` (a
// million-contact bot never costs a full scan per keystroke) and a few sample contacts. No
// message is sent. Opted-out contacts are left out: a run would skip them.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface AudienceCondition {
  /** A boolean SQL condition on the contacts row `c`, its placeholders numbered from $2. */
  sql: string;
  params: unknown[];
}

@Injectable()
export class AudiencePreviewRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async preview(
    botId: string,
    condition: AudienceCondition,
    cap: number,
    sampleSize: number,
  ): Promise<{
    count: number;
    capped: boolean;
    sample: Array<{ id: string; userId: string; channel: string }>;
  }> {
    const where = `c.bot_id = $1 AND c.opted_out_at IS NULL AND ${condition.sql}`;
    const n = condition.params.length;
    const counted: Array<{ n: number }> = await this.db.query(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM contacts c WHERE ${where} LIMIT $${n + 2}) t`,
      [botId, ...condition.params, cap + 1],
    );
    const sample: Array<{ id: string; user_id: string; channel: string }> = await this.db.query(
      `SELECT c.id, c.user_id, c.channel FROM contacts c WHERE ${where} ORDER BY c.id LIMIT $${n + 2}`,
      [botId, ...condition.params, sampleSize],
    );
    const count = counted[0]?.n ?? 0;
    return {
      count: Math.min(count, cap),
      capped: count > cap,
      sample: sample.map((r) => ({ id: r.id, userId: r.user_id, channel: r.channel })),
    };
  }
}
