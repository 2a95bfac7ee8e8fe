import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Channel } from '@herald/contracts';

export interface HeldView {
  contactId: string;
  channel: Channel;
  recipient: string;
  status: 'scheduled' | 'released';
  dueAt: Date;
  zone: string;
  reason: string;
  releasedAt: Date | null;
}

/** What the gateway's admin API shows of a run's held people (written by the contact service). Reads only. */
@Injectable()
export class HeldDeliveryReportRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A run's held people, in keyset pages by contact id, with how many are still scheduled. */
  async pageForRun(
    runId: string,
    afterContactId: string | null,
    limit: number,
  ): Promise<HeldView[]> {
    const rows: Array<{
      contact_id: string;
      channel: Channel;
      recipient: string;
      due_at: Date;
      zone: string;
      reason: string;
      released_at: Date | null;
    }> = await this.db.query(
      `SELECT contact_id, channel, recipient, due_at, zone, reason, released_at FROM held_deliveries
        WHERE run_id = $1 AND ($2::uuid IS NULL OR contact_id > $2::uuid) ORDER BY contact_id LIMIT $3`,
      [runId, afterContactId, limit],
    );
    return rows.map((r) => ({
      contactId: r.contact_id,
      channel: r.channel,
      recipient: r.recipient,
      status: r.released_at ? 'released' : 'scheduled',
      dueAt: r.due_at,
      zone: r.zone,
      reason: r.reason,
      releasedAt: r.released_at,
    }));
  }

  async countsForRun(runId: string): Promise<{ scheduled: number; released: number }> {
    const rows: Array<{ scheduled: number; released: number }> = await this.db.query(
      `SELECT count(*) FILTER (WHERE released_at IS NULL)::int AS scheduled, count(released_at)::int AS released
         FROM held_deliveries WHERE run_id = $1`,
      [runId],
    );
    return rows[0] ?? { scheduled: 0, released: 0 };
  }
}
