// The loop of a releaser that hands out work stored with a due time (people held by their send
// window, people parked by pacing): release what is due, a batch at a time, then sleep until the
// next is due, at most `pollMs` (work stored by another instance is seen within that). A failed
// look is logged and tried again after `pollMs`; shutdown waits for the look in progress. A Nest
// provider that extends it starts with the application and stops before its shutdown.
import type { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { describeError } from '@herald/errors';

/**
 * The shortest sleep between looks: work due within it goes out with the next look (at most this
 * late), so work due a little apart (a paced account's people) costs a look per tenth of a second,
 * not one each.
 */
const MIN_GAP_MS = 100;

export interface DueWork {
  /** Releases up to `limit` due items; how many it released. */
  releaseDue(limit: number): Promise<number>;
  /** When the next item is due, or null. */
  nextDueAt(): Promise<Date | null>;
}

export class DuePoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly work: DueWork,
    private readonly logger: Logger,
    /** What is released, for the log: "held people". */
    private readonly what: string,
    /** Why they are released when due: "their send window opened". */
    private readonly why: string,
    private readonly batch = 500,
    private readonly pollMs = 1_000,
    /** 'debug' where releases are routine and counted elsewhere (parked people, one a slot). */
    private readonly level: 'log' | 'debug' = 'log',
  ) {}

  start(): void {
    this.arm(0);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  private arm(ms: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.running = this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    let next = this.pollMs;
    try {
      let count: number;
      do {
        count = await this.work.releaseDue(this.batch);
        if (count > 0) this.logger[this.level](`${count} ${this.what} released: ${this.why}`);
      } while (count === this.batch && !this.stopping);
      const due = await this.work.nextDueAt();
      if (due) next = Math.max(MIN_GAP_MS, Math.min(this.pollMs, due.getTime() - Date.now()));
    } catch (error) {
      this.logger.warn(
        `releasing ${this.what} failed, retried in ${this.pollMs} ms: ${describeError(error)}`,
      );
    }
    this.arm(next);
  }
}
