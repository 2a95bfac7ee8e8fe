// Keyed token buckets for every pacing scope a channel has (a WhatsApp phone number id, a
// WhatsApp recipient, a Messenger page, an SMS sender). Idle buckets are forgotten, so
// per-recipient scopes stay bounded by the recent send rate, not the audience size.
import { TokenBucket, type Rate } from './token-bucket.js';

export interface PaceScope {
  key: string;
  rate: Rate;
  /**
   * One budget for every replica of the delivery service (a provider account's rate), not one
   * per process: see SharedPacer. Scopes about one recipient stay local.
   */
  shared?: boolean;
}

const SWEEP_EVERY = 10_000;

export class Pacer {
  private readonly buckets = new Map<string, TokenBucket>();
  private reservations = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  /**
   * Reserves one call in every scope; returns how long to wait before making it (the longest
   * wait of the scopes). Reservations are made whether or not the caller waits them out.
   */
  reserve(scopes: readonly PaceScope[]): number {
    const now = this.clock();
    if (++this.reservations % SWEEP_EVERY === 0) this.sweep(now);
    let wait = 0;
    for (const scope of scopes) {
      let bucket = this.buckets.get(scope.key);
      if (!bucket || !bucket.sameRate(scope.rate)) {
        bucket = new TokenBucket(scope.rate);
        this.buckets.set(scope.key, bucket);
      }
      wait = Math.max(wait, bucket.reserve(now));
    }
    return wait;
  }

  /** Number of buckets held (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  sweep(now = this.clock()): void {
    for (const [key, bucket] of this.buckets) if (bucket.idle(now)) this.buckets.delete(key);
  }
}
