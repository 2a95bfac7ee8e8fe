// One instance's claim on one run while it resolves it: renewed in the background, lost when
// another instance took the run over or it was cancelled, given back when resolution ends.
import { Logger } from '@nestjs/common';
import { describeError } from '@herald/errors';
import type { RunResolutionRepository } from '@herald/persistence';

export class RunLease {
  private readonly logger = new Logger(RunLease.name);
  private timer?: NodeJS.Timeout;
  private lost = false;
  private stopRequested = false;

  constructor(
    private readonly runs: RunResolutionRepository,
    readonly runId: string,
    readonly resolver: string,
    readonly leaseMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.renew(), Math.max(200, Math.floor(this.leaseMs / 3)));
    this.timer.unref();
  }

  /** Whether resolution may go on to another page. */
  get held(): boolean {
    return !this.lost && !this.stopRequested;
  }

  /** The run was taken over or cancelled: stop without giving it back. */
  lose(): void {
    this.lost = true;
  }

  /** The service is stopping: finish the page in hand, then give the run back. */
  requestStop(): void {
    this.stopRequested = true;
  }

  /** Stops renewing and, unless lost, lets any instance claim the run again after `retryAfterMs`. */
  async end(retryAfterMs: number): Promise<void> {
    clearInterval(this.timer);
    if (this.lost) return;
    try {
      await this.runs.releaseLease(this.runId, this.resolver, retryAfterMs);
    } catch (error) {
      // The lease then simply runs out and the run is claimed again afterwards.
      this.logger.warn({
        msg: `could not release run ${this.runId}: ${describeError(error)}`,
        runId: this.runId,
      });
    }
  }

  private async renew(): Promise<void> {
    try {
      if (!(await this.runs.renewLease(this.runId, this.resolver, this.leaseMs))) this.lost = true;
    } catch (error) {
      // A missed renewal is not a loss; beginPage checks the lease before every publish.
      this.logger.warn({
        msg: `could not renew the lease on run ${this.runId}: ${describeError(error)}`,
        runId: this.runId,
      });
    }
  }
}
