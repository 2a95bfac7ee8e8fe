import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Channel, DeliveryRequested } from '@herald/contracts';

/**
 * The delivery services' paced people (DeliveryRepository.park parks them): each service
 * releases its own channel's when due.
 */
@Injectable()
export class PacedDeliveryRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Hands up to `limit` parked people now due to `release` (which publishes them; each event
   * says until when it was parked), earliest first, and deletes them only once it returned, in
   * one transaction whose row locks keep other replicas off them (SKIP LOCKED): a crash before
   * the commit releases them again later, and the claim of their row keeps that to one send.
   */
  async releaseDue(
    topicPrefix: string,
    channel: Channel,
    limit: number,
    release: (events: DeliveryRequested[]) => Promise<void>,
  ): Promise<number> {
    return this.db.transaction(async (tx) => {
      const due: Array<{
        run_id: string;
        contact_id: string;
        due_at: Date;
        event: DeliveryRequested;
      }> = await tx.query(
        `SELECT run_id, contact_id, due_at, event FROM paced_deliveries
            WHERE topic_prefix = $1 AND channel = $2 AND due_at <= now()
            ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [topicPrefix, channel, limit],
      );
      if (due.length === 0) return 0;
      await release(due.map((d) => ({ ...d.event, pacedUntil: d.due_at.toISOString() })));
      await tx.query(
        `DELETE FROM paced_deliveries p
          USING unnest($1::uuid[], $2::uuid[]) AS u(run_id, contact_id)
          WHERE p.run_id = u.run_id AND p.contact_id = u.contact_id`,
        [due.map((d) => d.run_id), due.map((d) => d.contact_id)],
      );
      return due.length;
    });
  }

  /** When the next parked person of this deployment's channel is due, or null. */
  async nextDueAt(topicPrefix: string, channel: Channel): Promise<Date | null> {
    const rows: Array<{ due_at: Date | null }> = await this.db.query(
      `SELECT min(due_at) AS due_at FROM paced_deliveries WHERE topic_prefix = $1 AND channel = $2`,
      [topicPrefix, channel],
    );
    return rows[0]?.due_at ?? null;
  }
}
