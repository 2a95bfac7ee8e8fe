// Fires delayed runs when they fall due, and claims runs for this instance and resolves them, a
// few at a time. The schedule and every claim live in PostgreSQL: a new run, a delayed run that
// fired, and a run whose instance stopped (its lease ran out) are each claimed by exactly one
// instance, so delays survive restarts of every service and several instances never fire or
// resolve the same run together.
import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { describeError } from '@herald/errors';
import { EventPublisher } from '@herald/kafka';
import { RunResolutionRepository, type RunEntity } from '@herald/persistence';
import { AudienceConfig } from './audience.config.js';
import { ResolveAudienceService } from './resolve-audience.service.js';
import { RunLease } from './run-lease.js';

/** After a failure worth retrying (database or Kafka unavailable), the run waits this long. */
const RETRY_AFTER_MS = 5_000;

@Injectable()
export class RunSchedulerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RunSchedulerService.name);
  /** This instance's name on the runs it holds. */
  readonly instanceId = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  private readonly active = new Map<string, { lease: RunLease; done: Promise<void> }>();
  private timer?: NodeJS.Timeout;
  private pumping?: Promise<void>;
  private again = false;
  private stopping = false;

  constructor(
    private readonly config: AudienceConfig,
    private readonly runs: RunResolutionRepository,
    private readonly resolver: ResolveAudienceService,
    private readonly publisher: EventPublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // The first page of the first run should not wait for the producer to connect.
    await this.publisher
      .connect()
      .catch((error: unknown) =>
        this.logger.warn(`Kafka producer not connected yet: ${describeError(error)}`),
      );
    this.kick();
  }

  /** Look for claimable runs now (a request just arrived, or a run ended and frees a slot). */
  kick(): void {
    if (this.stopping) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Stops claiming; runs in hand finish their current page and are given back for another instance. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.pumping;
    for (const { lease } of this.active.values()) lease.requestStop();
    await Promise.all([...this.active.values()].map((a) => a.done));
  }

  private async pump(): Promise<void> {
    try {
      // Due runs start on time even when every slot is busy; they are then claimed as slots free up.
      await this.runs.fireDue(this.config.HERALD_TOPIC_PREFIX);
      while (!this.stopping && this.active.size < this.config.AUDIENCE_MAX_CONCURRENT_RUNS) {
        const run = await this.runs.claimNext(
          this.instanceId,
          this.config.AUDIENCE_LEASE_MS,
          this.config.HERALD_TOPIC_PREFIX,
        );
        if (!run) break;
        this.launch(run);
      }
      this.arm(await this.runs.nextDueAt(this.config.HERALD_TOPIC_PREFIX));
    } catch (error) {
      this.logger.warn(`claiming runs failed: ${describeError(error)}`);
      this.arm(null);
    }
  }

  /** The next look: at the next due run when it is sooner than the polling interval. */
  private arm(nextDue: Date | null): void {
    if (this.stopping) return;
    const interval = this.config.SCHEDULER_INTERVAL_MS;
    const untilDue = nextDue ? nextDue.getTime() - Date.now() : interval;
    this.timer = setTimeout(() => this.kick(), Math.max(0, Math.min(interval, untilDue)));
  }

  private launch(run: RunEntity): void {
    const lease = new RunLease(this.runs, run.id, this.instanceId, this.config.AUDIENCE_LEASE_MS);
    lease.start();
    const done = this.resolver.resolve(run, lease).then(
      () => lease.end(0),
      async (error: unknown) => {
        this.logger.warn({
          msg: `run ${run.id} paused, retried in ${RETRY_AFTER_MS} ms: ${describeError(error)}`,
          runId: run.id,
        });
        await lease.end(RETRY_AFTER_MS);
      },
    );
    this.active.set(run.id, {
      lease,
      done: done.finally(() => {
        this.active.delete(run.id);
        this.kick();
      }),
    });
  }
}
