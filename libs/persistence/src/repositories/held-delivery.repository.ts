import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Channel, DeliveryRequested, SendWindow } from '@herald/contracts';

/** A person held until their send window opens (issue 13). */
export interface HeldDelivery {
  runId: string;
  contactId: string;
  botId: string;
  channel: Channel;
  recipient: string;
  dueAt: Date;
  zone: string;
  reason: string;
  event: DeliveryRequested;
}

/**
 * The contact service's send-window holds: it holds people and releases them when due. The
 * gateway reads them through HeldDeliveryReportRepository.
 */
@Injectable()
export class HeldDeliveryRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Holds people; a person already held for the run stays as first held (a page handled twice). */
  async hold(topicPrefix: string, rows: HeldDelivery[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO held_deliveries (run_id, contact_id, bot_id, channel, recipient, topic_prefix, due_at, zone, reason, event)
       SELECT u.run_id, u.contact_id, u.bot_id, u.channel, u.recipient, $1, u.due_at, u.zone, u.reason, u.event
         FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[], $10::jsonb[])
              AS u(run_id, contact_id, bot_id, channel, recipient, due_at, zone, reason, event)
       ON CONFLICT (run_id, contact_id) DO NOTHING`,
      [
        topicPrefix,
        rows.map((r) => r.runId),
        rows.map((r) => r.contactId),
        rows.map((r) => r.botId),
        rows.map((r) => r.channel),
        rows.map((r) => r.recipient),
        rows.map((r) => r.dueAt),
        rows.map((r) => r.zone),
        rows.map((r) => r.reason),
        rows.map((r) => JSON.stringify(r.event)),
      ],
    );
  }

  /**
   * Hands up to `limit` people whose window has opened to `release` (which publishes them), and
   * marks them released only once it returned, in one transaction whose row locks keep other
   * instances off them (SKIP LOCKED): a crash before the commit releases them again later.
   */
  async releaseDue(
    topicPrefix: string,
    limit: number,
    release: (events: DeliveryRequested[]) => Promise<void>,
  ): Promise<number> {
    return this.db.transaction(async (tx) => {
      const due: Array<{ run_id: string; contact_id: string; event: DeliveryRequested }> =
        await tx.query(
          `SELECT run_id, contact_id, event FROM held_deliveries
          WHERE topic_prefix = $1 AND released_at IS NULL AND due_at <= now()
          ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [topicPrefix, limit],
        );
      if (due.length === 0) return 0;
      await release(due.map((d) => d.event));
      await tx.query(
        `UPDATE held_deliveries h SET released_at = now()
           FROM unnest($1::uuid[], $2::uuid[]) AS u(run_id, contact_id)
          WHERE h.run_id = u.run_id AND h.contact_id = u.contact_id`,
        [due.map((d) => d.run_id), due.map((d) => d.contact_id)],
      );
      return due.length;
    });
  }

  /** When the next held person of this deployment is due, or null. */
  async nextDueAt(topicPrefix: string): Promise<Date | null> {
    const rows: Array<{ due_at: Date | null }> = await this.db.query(
      `SELECT min(due_at) AS due_at FROM held_deliveries WHERE topic_prefix = $1 AND released_at IS NULL`,
      [topicPrefix],
    );
    return rows[0]?.due_at ?? null;
  }

  /** A broadcast's own send window, if it has one. */
  async broadcastWindow(broadcastId: string): Promise<SendWindow | null> {
    const rows: Array<{ window: SendWindow | null }> = await this.db.query(
      `SELECT settings->'sendWindow' AS window FROM broadcasts WHERE id = $1`,
      [broadcastId],
    );
    return rows[0]?.window ?? null;
  }
}
