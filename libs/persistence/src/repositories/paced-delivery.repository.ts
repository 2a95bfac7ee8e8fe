import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
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

  /**
   * Gives the people parked in one account's queue their turns again, `intervalMs` apart from
   * now in the order they had, when any of them was parked at another spacing (the account's rate
   * was raised or lowered since) or before spacings were kept. People already due (a cancelled
   * run's among them) keep their turn. Returns how many were given a new one (0: none differed).
   */
  async respace(topicPrefix: string, paceKey: string, intervalMs: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      await lockPaceQueues(tx, [{ topicPrefix, paceKey }]);
      const [{ n }]: Array<{ n: number }> = await tx.query(
        `WITH queue AS (
           SELECT run_id, contact_id,
                  row_number() OVER (ORDER BY due_at, run_id, contact_id) AS n
             FROM paced_deliveries
            WHERE topic_prefix = $1 AND pace_key = $2 AND due_at > now()
         ), moved AS (
           UPDATE paced_deliveries p
              SET due_at = now() + make_interval(secs => q.n * $3 / 1000), interval_ms = $3
             FROM queue q
            WHERE p.run_id = q.run_id AND p.contact_id = q.contact_id
              AND EXISTS (SELECT 1 FROM paced_deliveries x
                           WHERE x.topic_prefix = $1 AND x.pace_key = $2 AND x.due_at > now()
                             AND x.interval_ms IS DISTINCT FROM $3)
           RETURNING 1
         )
         SELECT count(*)::int AS n FROM moved`,
        [topicPrefix, paceKey, intervalMs],
      );
      return n;
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

/**
 * Takes the transaction's lock of each pacing queue (in key order: no deadlock), so that one
 * writer at a time reads and gives out a queue's turns (DeliveryRepository.park, respace).
 */
export async function lockPaceQueues(
  tx: EntityManager,
  queues: ReadonlyArray<{ topicPrefix: string; paceKey: string }>,
): Promise<void> {
  const keys = [...new Set(queues.map((q) => `${q.topicPrefix}pace:${q.paceKey}`))].sort();
  await tx.query(
    `SELECT pg_advisory_xact_lock(h) FROM (
       SELECT hashtextextended(q, 0) AS h FROM unnest($1::text[]) AS q ORDER BY 1
     ) locks`,
    [keys],
  );
}
