import { Injectable } from '@nestjs/common';
import { DELIVERY_ROW_STATUSES } from '@herald/persistence';
import { ErrorCode, HeraldError } from '@herald/errors';
import { DeliveryRepository, RunRepository, type DeliveryPageRow } from '@herald/persistence';
import { toPage, type Page } from '../http/keyset-cursor.js';
import { runView } from './admin.service.js';

/** Runs as operators see them: progress, each person's delivery, and cancelling. */
@Injectable()
export class RunAdminService {
  constructor(
    private readonly runs: RunRepository,
    private readonly deliveries: DeliveryRepository,
  ) {}

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
