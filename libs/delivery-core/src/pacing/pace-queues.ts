// Parking (DELIVERY_PARK_AFTER_MS). A provider account paced far below the traffic it gets would
// hold its batches, and with them its channel's partitions, for as long as its queue lasts, and
// every other bot on those partitions would wait behind it. So each process counts the people
// waiting in each pacing scope; a person who would wait longer than the limit is parked instead
// (DeliveryRepository.park: their row back to pending, their event due at their turn) and the
// batch goes on. Once someone is parked in a scope, newcomers park behind them, so the queue
// keeps its order. A person released from parking is parked again only when the queue in front
// of them is itself too long (people released faster than the account sends, after a restart
// say), never merely because others are parked behind them.
import type { PaceScope } from './pacer.js';

/** Where a person is parked: their queue, its spacing, and how long it was expected to take. */
export interface Park {
  key: string;
  intervalMs: number;
  waitMs: number;
}

export class PaceQueues {
  /** Per scope: people of this process waiting for a slot. */
  private readonly waiting = new Map<string, number>();
  /** Per scope: until when (local time) this process has parked people in it. */
  private readonly parkedUntil = new Map<string, number>();

  constructor(
    /** 0: never park. */
    private readonly parkAfterMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Where to park a person about to wait for a slot in `scopes`, or null to let them wait here:
   * the queue they would wait longest in, when that is longer than the limit or (for a newcomer,
   * not a person `released` from parking) people are parked in it already.
   */
  parkIn(scopes: readonly PaceScope[], released = false): Park | null {
    if (this.parkAfterMs <= 0) return null;
    const now = this.clock();
    let park: Park | null = null;
    for (const { key, rate } of scopes) {
      const intervalMs = 1000 / rate.perSecond;
      const waitMs = (this.waiting.get(key) ?? 0) * intervalMs;
      const parkedUntil = this.parkedUntil.get(key) ?? 0;
      if (parkedUntil <= now) this.parkedUntil.delete(key);
      const behind = !released && parkedUntil > now;
      if ((waitMs > this.parkAfterMs || behind) && waitMs >= (park?.waitMs ?? 0))
        park = { key, intervalMs, waitMs };
    }
    if (park !== null) {
      const from = Math.max(this.parkedUntil.get(park.key) ?? 0, now + park.waitMs);
      this.parkedUntil.set(park.key, from + park.intervalMs);
    }
    return park;
  }

  /** The person waits for a slot in `scopes`: counted until the returned function is called. */
  enter(scopes: readonly PaceScope[]): () => void {
    if (this.parkAfterMs <= 0) return noop;
    for (const { key } of scopes) this.waiting.set(key, (this.waiting.get(key) ?? 0) + 1);
    return () => {
      for (const { key } of scopes) {
        const left = (this.waiting.get(key) ?? 1) - 1;
        if (left > 0) this.waiting.set(key, left);
        else this.waiting.delete(key);
      }
    };
  }
}

const noop = () => undefined;
