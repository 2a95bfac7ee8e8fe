import { Injectable } from '@nestjs/common';
import { DELIVERY_ROW_STATUSES } from '@herald/persistence';
import { ErrorCode, HeraldError } from '@herald/errors';
import {
  DeliveryReportRepository,
  HeldDeliveryReportRepository,
  RunAdminRepository,
  type DeliveryPageRow,
  type RunEntity,
} from '@herald/persistence';
import { toPage, type Page } from '../http/keyset-cursor.js';

/** Runs as operators see them: progress, each person's delivery, and cancelling. */
@Injectable()
export class RunAdminService {
  constructor(
    private readonly runs: RunAdminRepository,
    private readonly deliveries: DeliveryReportRepository,
    private readonly held: HeldDeliveryReportRepository,
  ) {}

  async getRun(runId: string): Promise<Record<string, unknown>> {
    const run = await this.runs.findById(runId);
    if (!run) {
      throw new HeraldError(ErrorCode.NotFound, `Run ${runId} does not exist (yet).`, {
        fix: 'A run appears a moment after its request is accepted; retry shortly.',
      });
    }
    // People held by their send window (issue 13) count as `scheduled` until it opens.
    const view = runView(run);
    // People sent through a failover account (provider failover) count as failedOver; people
    // handed on to their broadcast's next channel (channel fallback) as fellBack.
    const [{ scheduled }, { failedOver, fellBack }] = await Promise.all([
      this.held.countsForRun(runId),
      this.deliveries.policyCounts(runId),
    ]);
    return {
      ...view,
      counts: { ...(view.counts as Record<string, number>), scheduled, failedOver, fellBack },
    };
  }

  async deliveriesOf(
    runId: string,
    status: string | undefined,
    afterId: string | null,
    limit: number,
  ): Promise<Page<DeliveryPageRow>> {
    if (
      status !== undefined &&
      status !== '' &&
      !(DELIVERY_ROW_STATUSES as readonly string[]).includes(status)
    ) {
      throw HeraldError.invalid(
        'status',
        `status must be one of ${DELIVERY_ROW_STATUSES.join(', ')}.`,
      );
    }
    if ((await this.runs.statusOf(runId)) === null)
      throw new HeraldError(ErrorCode.NotFound, `Run ${runId} does not exist (yet).`);
    const rows = await this.deliveries.pageForRun(runId, status || null, afterId, limit + 1);
    return toPage(
      rows,
      limit,
      (r) => r.contactId,
      (r) => r,
    );
  }

  /** Cancels a run that has not finished: 409 for a finished one, 404 for an unknown one. */
  async cancel(runId: string): Promise<Record<string, unknown>> {
    const { cancelled, run } = await this.runs.cancel(runId);
    if (!run) throw new HeraldError(ErrorCode.NotFound, `Run ${runId} does not exist (yet).`);
    if (!cancelled && run.status !== 'cancelled') {
      throw new HeraldError(
        ErrorCode.Conflict,
        `Run ${runId} is already ${run.status}; there is nothing left to cancel.`,
      );
    }
    return runView(run);
  }
}

export function runView(run: RunEntity): Record<string, unknown> {
  return {
    id: run.id,
    broadcastId: run.broadcastId,
    source: run.source,
    status: run.status,
    ...(run.reason ? { reason: run.reason } : {}),
    createdAt: run.createdAt,
    scheduledFor: run.scheduledFor,
    finishedAt: run.finishedAt,
    counts: {
      targeted: run.targeted,
      sent: run.sent,
      delivered: run.delivered,
      read: run.read,
      failed: run.failed,
      skipped: run.skipped,
    },
  };
}
