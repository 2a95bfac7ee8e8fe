// Counting semaphores of the delivery core, shared by every batch the process is working on (all
// partitions, all retry topics): provider calls in flight (the throughput window), and people sent
// and not yet recorded (the most a crash can leave to be sent again).
export class InFlightLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await work();
    } finally {
      this.free();
    }
  }

  /**
   * Takes a slot: its release (which frees it once, however often called), or undefined when all
   * are taken. On the hot path, so it neither waits nor allocates a promise.
   */
  tryAcquire(): (() => void) | undefined {
    if (this.active >= this.limit) return undefined;
    this.active += 1;
    return this.releaseOnce();
  }

  /** Takes a slot, waiting for one when all are taken (then `onFull` is called first, to hurry their holders). */
  async acquire(onFull?: () => void): Promise<() => void> {
    const release = this.tryAcquire();
    if (release) return release;
    onFull?.();
    // A freed slot is handed straight to the first waiter: `active` stays counted for it.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.releaseOnce();
  }

  /** Slots taken now, those handed to waiters included. */
  get taken(): number {
    return this.active;
  }

  private releaseOnce(): () => void {
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.free();
    };
  }

  private free(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }
}
