// Emits a run's pages exactly once, across crashes and restarts of any audience instance:
//   1. write the page ahead on the run (number, cursor after it, size, time), under the lease;
//   2. publish it to target.resolved (resolves once Kafka acknowledged it);
//   3. record it (pages_emitted, targeted, resume cursor), clearing the write-ahead mark.
// An instance that stops between 1 and 3 leaves the mark; whoever resumes the run reads the
// run's partition back from the mark's time to learn whether the page arrived, then records it
// or publishes it. No page is lost and none is emitted twice. The one window left: an instance
// that stalls (paused, cut off from PostgreSQL) longer than the lease while its publish is in
// flight, and whose publish lands after the new resolver read the partition back.
import { Injectable } from '@nestjs/common';
import {
  Topics,
  type BroadcastRequested,
  type Message,
  type Target,
  type TargetResolved,
} from '@herald/contracts';
import { EventPublisher } from '@herald/kafka';
import { RunResolutionRepository, type RunEntity } from '@herald/persistence';
import { PublishedPageProbe } from './published-page.probe.js';
import type { RunLease } from './run-lease.js';
import { sharedVariables } from './target.normalizer.js';
import type { TargetPage, TargetSource } from './target.source.js';

@Injectable()
export class PageEmitterService {
  constructor(
    private readonly runs: RunResolutionRepository,
    private readonly publisher: EventPublisher,
    private readonly probe: PublishedPageProbe,
  ) {}

  /**
   * Emits every page the source still has; true when it is exhausted, false when the lease
   * ended first. While page N is being published, page N+1 is read; then one statement records
   * N and writes N+1 ahead.
   */
  async emitAll(
    run: RunEntity,
    request: BroadcastRequested,
    messages: Message[],
    source: TargetSource,
    lease: RunLease,
  ): Promise<boolean> {
    const start = await this.settlePending(run, lease);
    const single = request.options?.singleContact === true;
    if (single && start.page > 0) return true;
    if (!lease.held) return false;
    let page = start.page;
    const first = trim(await source.next(start.cursor, page), single);
    if (!first) return true;
    let current: PageInHand = first;
    if (
      !(await this.runs.beginPage(run.id, lease.resolver, lease.leaseMs, {
        page,
        ...current,
        since: new Date(),
      }))
    ) {
      lease.lose();
      return false;
    }
    for (;;) {
      const [published, read]: [
        PromiseSettledResult<void>,
        PromiseSettledResult<TargetPage | null>,
      ] = await Promise.allSettled([
        this.publisher.publish(Topics.TargetResolved, [
          {
            key: run.id,
            data: this.event(run, request, messages, page, current.targets),
            ...(run.traceparent ? { traceparent: run.traceparent } : {}),
          },
        ]),
        single ? Promise.resolve(null) : source.next(current.cursor, page + 1),
      ]);
      if (published.status === 'rejected') throw published.reason;
      const done = { page, targeted: current.targeted, cursor: current.cursor };
      const next: PageInHand | null = read.status === 'fulfilled' ? trim(read.value, single) : null;
      if (!next || !lease.held) {
        await this.runs.recordPage(run.id, page, done.targeted, done.cursor);
        if (read.status === 'rejected') throw read.reason;
        return next === null;
      }
      if (
        !(await this.runs.recordAndBegin(run.id, lease.resolver, lease.leaseMs, done, {
          ...next,
          since: new Date(),
        }))
      ) {
        await this.runs.recordPage(run.id, page, done.targeted, done.cursor);
        lease.lose();
        return false;
      }
      page += 1;
      current = next;
    }
  }

  /** Where resolution goes on: after the last recorded page, or after a written-ahead page that did reach Kafka. */
  private async settlePending(
    run: RunEntity,
    lease: RunLease,
  ): Promise<{ page: number; cursor: string | null }> {
    const resume = { page: run.pagesEmitted, cursor: run.resumeCursor };
    if (run.pendingPage === null || run.pendingPage !== run.pagesEmitted) return resume;
    const arrived = await this.probe.wasPublished(
      run.id,
      run.pendingPage,
      run.pendingSince ?? run.createdAt,
    );
    if (!arrived) return resume;
    const confirmed = await this.runs.confirmPendingPage(run.id, lease.resolver);
    return confirmed ? { page: confirmed.pagesEmitted, cursor: confirmed.resumeCursor } : resume;
  }

  private event(
    run: RunEntity,
    request: BroadcastRequested,
    messages: Message[],
    page: number,
    targets: Target[],
  ): TargetResolved {
    const setVariables = sharedVariables(request.setVariables);
    return {
      runId: run.id,
      botId: run.botId,
      ...(request.broadcastId ? { broadcastId: request.broadcastId } : {}),
      page,
      targets,
      messages,
      ...(setVariables ? { setVariables } : {}),
      ...(request.payload !== undefined ? { payload: request.payload } : {}),
      ...(request.options ? { options: request.options } : {}),
    };
  }
}

interface PageInHand {
  targets: Target[];
  cursor: string | null;
  targeted: number;
}

/** The page as it will be emitted (one target for singleContact), or null when there is none. */
function trim(page: TargetPage | null, single: boolean): PageInHand | null {
  if (!page || page.targets.length === 0) return null;
  const targets = single ? page.targets.slice(0, 1) : page.targets;
  return { targets, cursor: page.cursor, targeted: targets.length };
}
