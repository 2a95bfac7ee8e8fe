import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { DeliveryStatus } from '@herald/contracts';
import { updateReturning } from './returning.js';
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

@Injectable()
export class RunRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  private updated<T>(sql: string, params: unknown[]): Promise<T[]> {
    return updateReturning<T>(this.db, sql, params);
  }

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

  /** Just the status: hot paths ask often and must not load the stored request. */
  /** The bot a run belongs to, or null when there is no such run. */
  async botOf(runId: string): Promise<string | null> {
    const rows: Array<{ bot_id: string }> = await this.db.query(
      `SELECT bot_id FROM runs WHERE id = $1`,
      [runId],
    );
    return rows[0]?.bot_id ?? null;
  }

  async statusOf(runId: string): Promise<string | null> {
    const rows: Array<{ status: string }> = await this.db.query(
      `SELECT status FROM runs WHERE id = $1`,
      [runId],
    );
    return rows[0]?.status ?? null;
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

  /**
   * Records that page `page` of targets was emitted (and clears its write-ahead mark). Applies
   * only once per page, so a resumed resolution cannot count a page twice. Returns whether it applied.
   */
  async recordPage(
    runId: string,
    page: number,
    targeted: number,
    cursor: string | null,
  ): Promise<boolean> {
    const rows = await this.updated(
      `UPDATE runs SET pages_emitted = $2 + 1, targeted = targeted + $3, resume_cursor = $4,
              pending_page = NULL, pending_cursor = NULL, pending_targeted = NULL, pending_since = NULL
        WHERE id = $1 AND pages_emitted = $2 RETURNING id`,
      [runId, page, targeted, cursor],
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
   * Claims one run of the deployment `topicPrefix` for `resolver` under a lease of `leaseMs`: a
   * resolving run nobody holds (new, started by fireDue, released, or whose resolver stopped
   * renewing). The row is locked with SKIP LOCKED and re-checked on update, so two instances
   * never claim the same run.
   */
  async claimNext(resolver: string, leaseMs: number, topicPrefix = ''): Promise<RunEntity | null> {
    const free = await this.updated<{ id: string }>(
      `UPDATE runs SET resolver = $1, lease_until = now() + $2 * interval '1 millisecond',
              started_at = COALESCE(started_at, now())
        WHERE id = (SELECT id FROM runs
                     WHERE topic_prefix = $3 AND status = 'resolving' AND NOT resolution_done
                       AND (lease_until IS NULL OR lease_until < now())
                     ORDER BY lease_until NULLS FIRST LIMIT 1 FOR UPDATE SKIP LOCKED)
          AND status = 'resolving' AND NOT resolution_done AND (lease_until IS NULL OR lease_until < now())
        RETURNING id`,
      [resolver, leaseMs, topicPrefix],
    );
    return free[0] ? this.findById(free[0].id) : null;
  }

  /**
   * Starts the deployment's scheduled runs that are due: each becomes a resolving run for any
   * instance to claim. A row changes once (its status is re-checked under the row lock), so a
   * delayed run fires once however many instances call this; a cancelled one never does.
   */
  async fireDue(topicPrefix = ''): Promise<number> {
    const rows = await this.updated<{ id: string }>(
      `UPDATE runs SET status = 'resolving', started_at = now()
        WHERE topic_prefix = $1 AND status = 'scheduled' AND scheduled_for <= now() RETURNING id`,
      [topicPrefix],
    );
    return rows.length;
  }

  /** Extends the lease; false when `resolver` no longer holds it or the run stopped resolving (cancelled). */
  async renewLease(runId: string, resolver: string, leaseMs: number): Promise<boolean> {
    const rows = await this.updated(
      `UPDATE runs SET lease_until = now() + $3 * interval '1 millisecond'
        WHERE id = $1 AND resolver = $2 AND status = 'resolving' RETURNING id`,
      [runId, resolver, leaseMs],
    );
    return rows.length > 0;
  }

  /** Gives the run up: any instance may claim it again after `retryAfterMs` (0: at once). */
  async releaseLease(runId: string, resolver: string, retryAfterMs = 0): Promise<void> {
    await this.db.query(
      `UPDATE runs SET resolver = NULL, lease_until = now() + $3 * interval '1 millisecond'
        WHERE id = $1 AND resolver = $2`,
      [runId, resolver, retryAfterMs],
    );
  }

  /**
   * Writes page `page` ahead of its publish (cursor after it, its size, when), extending the
   * lease. False when `resolver` lost the run (lease taken over, cancelled, page already done):
   * the page must then not be published.
   */
  async beginPage(
    runId: string,
    resolver: string,
    leaseMs: number,
    page: { page: number; cursor: string | null; targeted: number; since: Date },
  ): Promise<boolean> {
    const rows = await this.updated(
      `UPDATE runs SET pending_page = $4, pending_cursor = $5, pending_targeted = $6, pending_since = $7,
              lease_until = now() + $3 * interval '1 millisecond'
        WHERE id = $1 AND resolver = $2 AND status = 'resolving' AND pages_emitted = $4 AND lease_until > now()
        RETURNING id`,
      [runId, resolver, leaseMs, page.page, page.cursor, page.targeted, page.since],
    );
    return rows.length > 0;
  }

  /**
   * recordPage(done) and beginPage(ahead) in one statement (one commit per page on the hot
   * path). False when `resolver` lost the run: then neither applied, and `done` (published)
   * is still to be recorded with recordPage.
   */
  async recordAndBegin(
    runId: string,
    resolver: string,
    leaseMs: number,
    done: { page: number; targeted: number; cursor: string | null },
    ahead: { cursor: string | null; targeted: number; since: Date },
  ): Promise<boolean> {
    const rows = await this.updated(
      `UPDATE runs SET pages_emitted = $4 + 1, targeted = targeted + $5, resume_cursor = $6,
              pending_page = $4 + 1, pending_cursor = $7, pending_targeted = $8, pending_since = $9,
              lease_until = now() + $3 * interval '1 millisecond'
        WHERE id = $1 AND resolver = $2 AND status = 'resolving' AND pages_emitted = $4 AND lease_until > now()
        RETURNING id`,
      [
        runId,
        resolver,
        leaseMs,
        done.page,
        done.targeted,
        done.cursor,
        ahead.cursor,
        ahead.targeted,
        ahead.since,
      ],
    );
    return rows.length > 0;
  }

  /** The written-ahead page did reach Kafka: records it as emitted. Returns the run as it then stands. */
  async confirmPendingPage(runId: string, resolver: string): Promise<RunEntity | null> {
    await this.db.query(
      `UPDATE runs SET pages_emitted = pages_emitted + 1, targeted = targeted + pending_targeted, resume_cursor = pending_cursor,
              pending_page = NULL, pending_cursor = NULL, pending_targeted = NULL, pending_since = NULL
        WHERE id = $1 AND resolver = $2 AND pending_page = pages_emitted`,
      [runId, resolver],
    );
    return this.findById(runId);
  }

  /**
   * Cancels a run that has not finished (for the admin API). A scheduled run then never
   * starts; a resolving one stops before its next page; deliveries not yet sent are skipped.
   * Returns the run as it then stands (null when unknown) and whether this call cancelled it.
   */
  async cancel(
    runId: string,
    reason = 'Cancelled by an operator.',
  ): Promise<{ cancelled: boolean; run: RunEntity | null }> {
    const rows = await this.updated(
      `UPDATE runs SET status = 'cancelled', reason = $2, finished_at = now(), resolver = NULL
        WHERE id = $1 AND status IN ('scheduled', 'resolving', 'delivering') RETURNING id`,
      [runId, reason],
    );
    return { cancelled: rows.length > 0, run: await this.findById(runId) };
  }

  /** When the deployment's next scheduled run falls due (null: none is scheduled). */
  async nextDueAt(topicPrefix = ''): Promise<Date | null> {
    const rows: Array<{ due: Date | null }> = await this.db.query(
      `SELECT min(scheduled_for) AS due FROM runs WHERE topic_prefix = $1 AND status = 'scheduled'`,
      [topicPrefix],
    );
    return rows[0]?.due ?? null;
  }

  /**
   * Records that page `page` of the run lists these contacts and returns those an earlier page
   * of the run already listed. A page handled again (after a crash) finds its own entries, not
   * earlier ones. Pages of one run are handled in order (their events share the run's key).
   */
  async listedBefore(runId: string, page: number, contactIds: string[]): Promise<Set<string>> {
    if (contactIds.length === 0) return new Set();
    const rows: Array<{ contact_id: string }> = await this.db.query(
      `WITH input AS (
         SELECT DISTINCT unnest($3::uuid[]) AS contact_id
       ), earlier AS (
         SELECT l.contact_id FROM run_listings l JOIN input i ON i.contact_id = l.contact_id
          WHERE l.run_id = $1 AND l.page <> $2
       ), listed AS (
         INSERT INTO run_listings (run_id, contact_id, page) SELECT $1, contact_id, $2 FROM input
         ON CONFLICT DO NOTHING
       )
       SELECT contact_id FROM earlier`,
      [runId, page, contactIds],
    );
    return new Set(rows.map((r) => r.contact_id));
  }

  /**
   * Folds delivery results into run counts exactly once each, in one statement: each
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

  private async completeFinished(runIds: string[]): Promise<void> {
    await this.db.query(
      `UPDATE runs SET status = 'completed', finished_at = now()
        WHERE id = ANY($1::uuid[]) AND status = 'delivering' AND resolution_done
          AND sent + failed + skipped >= targeted`,
      [runIds],
    );
  }
}
