import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Channel } from '@herald/contracts';

/** A delivery row as the admin API lists it. */
export interface DeliveryPageRow {
  contactId: string;
  userId: string | null;
  channel: Channel;
  status: string;
  attempts: number;
  providerMessageId: string | null;
  reason: string | null;
  code: string | null;
  /** The channels row (provider account) that sent; null before a send or when unknown. */
  accountId: string | null;
  /** Channel fallback: the channel this person was sent on instead, when this one could not reach them. */
  fallbackTo: string | null;
  /** Channel fallback: the channel that could not reach this person first, and why. */
  fallbackFrom: string | null;
  /** Why earlier accounts did not send (the send failed over); null otherwise. */
  failover: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What the gateway's admin API shows of a run's deliveries (written by the delivery services). Reads only. */
@Injectable()
export class DeliveryReportRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The run's people reached by provider failover (sent through a later account) and by channel
   * fallback (handed on to the next channel: counted once, on the first channel's row).
   */
  async policyCounts(runId: string): Promise<{ failedOver: number; fellBack: number }> {
    const rows: Array<{ failed_over: string; fell_back: string }> = await this.db.query(
      // Each count reads its partial index (migration 1766200000000): the rows that failed over
      // or fell back, not every delivery of the run.
      `SELECT (SELECT count(*) FROM deliveries WHERE run_id = $1 AND failover IS NOT NULL) AS failed_over,
              (SELECT count(*) FROM deliveries WHERE run_id = $1 AND fallback_to IS NOT NULL) AS fell_back`,
      [runId],
    );
    return {
      failedOver: Number(rows[0]?.failed_over ?? 0),
      fellBack: Number(rows[0]?.fell_back ?? 0),
    };
  }

  /**
   * One keyset page of a run's delivery rows after contact `afterContactId`, optionally of one
   * status, with the contact's user id (the primary key (run_id, contact_id) serves the walk).
   */
  async pageForRun(
    runId: string,
    status: string | null,
    afterContactId: string | null,
    limit: number,
  ): Promise<DeliveryPageRow[]> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT d.contact_id, c.user_id, d.channel, d.status, d.attempts, d.provider_message_id, d.reason, d.code,
              d.account_id, d.failover, d.fallback_to, d.fallback_from, d.created_at, d.updated_at
         FROM deliveries d LEFT JOIN contacts c ON c.id = d.contact_id
        WHERE d.run_id = $1 AND ($2::text IS NULL OR d.status = $2) AND ($3::uuid IS NULL OR d.contact_id > $3::uuid)
        ORDER BY d.contact_id LIMIT $4`,
      [runId, status, afterContactId, limit],
    );
    return rows.map((r) => ({
      contactId: r.contact_id as string,
      userId: (r.user_id as string | null) ?? null,
      channel: r.channel as Channel,
      status: r.status as string,
      attempts: r.attempts as number,
      providerMessageId: (r.provider_message_id as string | null) ?? null,
      reason: (r.reason as string | null) ?? null,
      code: (r.code as string | null) ?? null,
      accountId: (r.account_id as string | null) ?? null,
      failover: (r.failover as string | null) ?? null,
      fallbackTo: (r.fallback_to as string | null) ?? null,
      fallbackFrom: (r.fallback_from as string | null) ?? null,
      createdAt: r.created_at as Date,
      updatedAt: r.updated_at as Date,
    }));
  }
}
