import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { updateReturning } from './returning.js';
import { RunEntity } from '../entities/run.entity.js';

/**
 * How the audience service's instances share the resolution of runs: which instance holds a
 * run (lease), when a scheduled run starts, and how far its pages got (written ahead of each
 * publish, confirmed after). Writes `runs`.
 */
@Injectable()
export class RunResolutionRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  private updated<T>(sql: string, params: unknown[]): Promise<T[]> {
    return updateReturning<T>(this.db, sql, params);
  }

  private findById(runId: string): Promise<RunEntity | null> {
    return this.db.getRepository(RunEntity).findOneBy({ id: runId });
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

  /** When the deployment's next scheduled run falls due (null: none is scheduled). */
  async nextDueAt(topicPrefix = ''): Promise<Date | null> {
    const rows: Array<{ due: Date | null }> = await this.db.query(
      `SELECT min(scheduled_for) AS due FROM runs WHERE topic_prefix = $1 AND status = 'scheduled'`,
      [topicPrefix],
    );
    return rows[0]?.due ?? null;
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
}
