import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { DeliveryStatus } from '@herald/contracts';
import { RunEntity, type RunStatus } from '../entities/run.entity.js';

export interface NewRun {
  id: string;
  botId: string;
  broadcastId: string | null;
  source: string;
  status: RunStatus;
  scheduledFor: Date;
  request: unknown;
  /** The deployment (HERALD_TOPIC_PREFIX) whose audience claims the run; default ''. */
  topicPrefix?: string;
  /** W3C trace context of the request, continued by the run's events. */
  traceparent?: string;
}

/** One outcome of one person (or skipped target) in a run, as a delivery result reports it. */
export interface RunOutcome {
  runId: string;
  /** Whom it is about: the contact id, or a stable id of a skipped target. */
  subject: string;
  status: DeliveryStatus;
}

/**
 * The audience service's run ledger: it accepts runs, fails them, marks their resolution done
 * and folds delivery outcomes into their counts (runs, run_outcomes). The other writers of
 * `runs` are the gateway's cancel (RunAdminRepository) and the delivery services, which count
 * sent and failed as they move a person's delivery row (DeliveryRepository).
 */
@Injectable()
export class RunLedgerRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Inserts the run unless it exists (a redelivered request); returns the stored row. */
  async createIfAbsent(run: NewRun): Promise<{ created: boolean; run: RunEntity }> {
    const inserted: unknown[] = await this.db.query(
      `INSERT INTO runs (id, bot_id, broadcast_id, source, status, scheduled_for, request, topic_prefix, traceparent)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        run.id,
        run.botId,
        run.broadcastId,
        run.source,
        run.status,
        run.scheduledFor,
        JSON.stringify(run.request),
        run.topicPrefix ?? '',
        run.traceparent ?? null,
      ],
    );
    const stored = await this.findById(run.id);
    if (!stored) throw new Error(`run ${run.id} vanished after insert`);
    return { created: inserted.length > 0, run: stored };
  }

  findById(runId: string): Promise<RunEntity | null> {
    return this.db.getRepository(RunEntity).findOneBy({ id: runId });
  }

  async setStatus(runId: string, status: RunStatus, reason: string | null = null): Promise<void> {
    const final = status === 'completed' || status === 'failed' || status === 'cancelled';
    await this.db.query(
      `UPDATE runs SET status = $2, reason = COALESCE($3, reason), finished_at = CASE WHEN $4 THEN now() ELSE finished_at END
        WHERE id = $1 AND status NOT IN ('completed', 'failed', 'cancelled')`,
      [runId, status, reason, final],
    );
  }

  /**
   * Fails the run with `reason` unless it has finished; when it does not exist (its request was
   * dead-lettered before it became a run), creates it failed, so a caller who was answered 200
   * finds it and why. Only a run of this bot and deployment is touched, and one is created only
   * for a bot that exists: a forged request cannot fail another tenant's run. One statement: a
   * concurrent accept cannot slip between look and write.
   */
  async failOrCreateFailed(
    run: {
      id: string;
      botId: string;
      broadcastId: string | null;
      source: string;
      topicPrefix: string;
    },
    reason: string,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO runs (id, bot_id, broadcast_id, source, status, reason, finished_at, request, topic_prefix)
       SELECT $1, $2, $3, $4, 'failed', $5, now(), NULL, $6 WHERE EXISTS (SELECT 1 FROM bots WHERE id = $2)
       ON CONFLICT (id) DO UPDATE SET status = 'failed', reason = EXCLUDED.reason, finished_at = now(), resolver = NULL
        WHERE runs.bot_id = EXCLUDED.bot_id AND runs.topic_prefix = EXCLUDED.topic_prefix
          AND runs.status NOT IN ('completed', 'failed', 'cancelled')`,
      [run.id, run.botId, run.broadcastId, run.source, reason, run.topicPrefix],
    );
  }

  /** Whether the run exists and is the bot's, in the deployment `topicPrefix` (input naming a run is checked against it). */
  async isRunOf(runId: string, botId: string, topicPrefix: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `SELECT 1 FROM runs WHERE id = $1 AND bot_id = $2 AND topic_prefix = $3`,
      [runId, botId, topicPrefix],
    );
    return rows.length > 0;
  }

  /** Resolution finished: the run now waits for its deliveries (or completes if none). */
  async markResolved(runId: string): Promise<void> {
    await this.db.query(
      `UPDATE runs SET resolution_done = true,
              status = CASE WHEN status = 'resolving' THEN 'delivering' ELSE status END
        WHERE id = $1`,
      [runId],
    );
    await this.completeFinished([runId]);
  }

  /**
   * Folds delivery results into run counts exactly once each, in one statement (results the
   * delivery services count as they move rows never come here: see DeliveryRepository): each
   * (run, subject, status) enters the run_outcomes ledger once (ON CONFLICT DO NOTHING), and
   * only what entered is counted, so a redelivered or republished result changes nothing. A
   * person sent and later failed by a provider webhook counts as failed, not as both, so
   * sent + failed + skipped stays the number of people settled. Then completes finished runs.
   */
  async recordOutcomes(outcomes: RunOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const rows: Array<{ id: string }> = await this.db.query(
      `WITH input AS (
         SELECT DISTINCT * FROM unnest($1::uuid[], $2::text[], $3::text[]) AS x(run_id, subject, status)
       ), entered AS (
         INSERT INTO run_outcomes (run_id, subject, status) SELECT run_id, subject, status FROM input
         ON CONFLICT DO NOTHING RETURNING run_id, subject, status
       ), fresh AS (
         SELECT run_id, subject, bool_or(status = 'sent') AS sent, bool_or(status = 'failed') AS failed,
                count(*) FILTER (WHERE status = 'delivered') AS delivered, count(*) FILTER (WHERE status = 'read') AS read,
                count(*) FILTER (WHERE status = 'skipped') AS skipped
           FROM entered GROUP BY run_id, subject
       ), earlier AS (
         -- The ledger as it stood before this statement (sub-statements share one snapshot).
         SELECT o.run_id, o.subject, bool_or(o.status = 'sent') AS sent, bool_or(o.status = 'failed') AS failed
           FROM run_outcomes o JOIN fresh f ON f.run_id = o.run_id AND f.subject = o.subject
          GROUP BY o.run_id, o.subject
       ), deltas AS (
         SELECT f.run_id,
                sum(CASE WHEN f.sent AND NOT f.failed AND NOT coalesce(e.failed, false) THEN 1
                         WHEN f.failed AND NOT f.sent AND coalesce(e.sent, false) THEN -1 ELSE 0 END)::int AS sent,
                sum(CASE WHEN f.failed THEN 1 ELSE 0 END)::int AS failed,
                sum(f.delivered)::int AS delivered, sum(f.read)::int AS read, sum(f.skipped)::int AS skipped
           FROM fresh f LEFT JOIN earlier e ON e.run_id = f.run_id AND e.subject = f.subject
          GROUP BY f.run_id
       ), counted AS (
         UPDATE runs r SET sent = r.sent + d.sent, failed = r.failed + d.failed, delivered = r.delivered + d.delivered,
                read = r.read + d.read, skipped = r.skipped + d.skipped
           FROM deltas d WHERE r.id = d.run_id
         RETURNING r.id
       )
       -- A SELECT, so the driver answers rows (an UPDATE answers [rows, count]).
       SELECT id FROM counted`,
      [outcomes.map((o) => o.runId), outcomes.map((o) => o.subject), outcomes.map((o) => o.status)],
    );
    if (rows.length > 0) await this.completeFinished(rows.map((r) => r.id));
  }

  /**
   * People of a dead delivery request count as failed, once each (the ledger, by contact), except
   * those whose delivery row ended: the delivery service counted them as it ended it (sent or
   * failed), or handed them on to another channel that counts them. A row that ends later does
   * not count them again (DeliveryRepository leaves out people the ledger has as failed).
   */
  async failUnsettled(runId: string, contactIds: string[]): Promise<void> {
    if (contactIds.length === 0) return;
    const ended: Array<{ contact_id: string }> = await this.db.query(
      `SELECT contact_id FROM deliveries
        WHERE run_id = $1 AND contact_id = ANY($2::uuid[]) AND status NOT IN ('pending', 'sending')`,
      [runId, contactIds],
    );
    const counted = new Set(ended.map((r) => r.contact_id));
    await this.recordOutcomes(
      contactIds
        .filter((contactId) => !counted.has(contactId))
        .map((contactId) => ({ runId, subject: contactId, status: 'failed' as const })),
    );
  }

  private async completeFinished(runIds: string[]): Promise<void> {
    await this.db.query(
      `UPDATE runs SET status = 'completed', finished_at = now()
        WHERE id = ANY($1::uuid[]) AND status = 'delivering' AND resolution_done
          AND sent + failed + skipped >= targeted`,
      [runIds],
    );
  }
}
