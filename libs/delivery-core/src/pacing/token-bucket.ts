// A token bucket kept as one number (GCRA, the "generic cell rate algorithm"): each call reserves
// the next free slot and learns how long to wait for it, so concurrent callers are spaced exactly
// at the rate, with up to `burst` calls let through at once after a quiet spell.

export interface Rate {
  /** Sustained calls per second (may be below 1, e.g. 1/6). */
  perSecond: number;
  /** Calls allowed back to back when the bucket is full; at least 1. */
  burst: number;
}

export class TokenBucket {
  private readonly interval: number;
  private readonly tolerance: number;
  /** Theoretical arrival time: when the next call would be exactly on schedule. */
  private tat = 0;

  constructor(readonly rate: Rate) {
    if (!(rate.perSecond > 0) || !(rate.burst >= 1))
      throw new Error(`invalid rate ${JSON.stringify(rate)}`);
    this.interval = 1000 / rate.perSecond;
    this.tolerance = (Math.floor(rate.burst) - 1) * this.interval;
  }

  /** Reserves one call; returns the milliseconds to wait before making it (0: now). */
  reserve(now: number): number {
    const tat = Math.max(this.tat, now);
    this.tat = tat + this.interval;
    return Math.max(0, tat - this.tolerance - now);
  }

  /** Gives back a reservation that was not used (e.g. the send was abandoned). */
  cancel(): void {
    this.tat -= this.interval;
  }

  /** True once the bucket is full again: it then behaves like a new one and may be forgotten. */
  idle(now: number): boolean {
    return this.tat <= now;
  }

  sameRate(rate: Rate): boolean {
    return this.rate.perSecond === rate.perSecond && this.rate.burst === rate.burst;
  }
}
