import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/**
 * What the services that do not own runs read of one: its status (delivery skips a cancelled
 * run's sends; the gateway answers 404) and its bot (the contact service checks input naming a
 * run). Reads only.
 */
@Injectable()
export class RunStatusRepository {
  constructor(@InjectDataSource() protected readonly db: DataSource) {}

  /** Just the status: hot paths ask often and must not load the stored request. */
  async statusOf(runId: string): Promise<string | null> {
    const rows: Array<{ status: string }> = await this.db.query(
      `SELECT status FROM runs WHERE id = $1`,
      [runId],
    );
    return rows[0]?.status ?? null;
  }

  /** The bot a run belongs to, or null when there is no such run. */
  async botOf(runId: string): Promise<string | null> {
    const rows: Array<{ bot_id: string }> = await this.db.query(
      `SELECT bot_id FROM runs WHERE id = $1`,
      [runId],
    );
    return rows[0]?.bot_id ?? null;
  }
}
