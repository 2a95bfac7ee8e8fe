// Pacing that holds across replicas. A provider account's rate is one budget for every replica
// of its delivery service: each replica claims a small block of send slots from the account's
// schedule in PostgreSQL (one statement per tenth of a second of the account's rate, whatever
// the number of replicas) and spends them locally. The schedule is booked at most a second ahead
// (HORIZON_MS): a replica that hands its people back or stops wastes at most that much of the
// account's time, where its waiting sends could otherwise have booked minutes of a slow account.
// Scopes about one recipient (WhatsApp's pair limit) stay local: one person's deliveries are
// keyed to one partition, so one replica.
import type { Rate } from './token-bucket.js';
import { Pacer, type PaceScope } from './pacer.js';

/** Where the shared schedules live (AccountBudgetRepository in production). */
export interface SlotStore {
  /** startMs null: the schedule is booked past `horizonMs` (nothing claimed; it frees at endMs − horizonMs). */
  claim(
    key: string,
    count: number,
    intervalMs: number,
    toleranceMs: number,
    horizonMs: number,
  ): Promise<{ startMs: number | null; endMs: number; nowMs: number }>;
}

/** Waits `ms`; false when the wait was ended early (the batch is handed back, or the service stops). */
export type PaceSleep = (ms: number) => Promise<boolean>;

const timerSleep: PaceSleep = (ms) => new Promise((resolve) => setTimeout(() => resolve(true), ms));

/** How far ahead an account's shared schedule may be booked. */
export const HORIZON_MS = 1_000;
/** A block holds this much of the account's rate: ≤ 10 claims a second per account. */
const BLOCK_SECONDS = 0.1;
/** A slot older than this is not used: its moment passed (the replica was busy elsewhere). */
const STALE_SLOTS = 2;

/**
 * A claimed run of evenly spaced slots, kept as arithmetic rather than a list: at an unpaced
 * account's rate (a million a second) a block holds 100,000 slots, and skipping the stale ones
 * must cost nothing.
 */
interface Block {
  /** Local time (ms) of the block's first slot. */
  start: number;
  interval: number;
  count: number;
  /** Index of the next unspent slot. */
  next: number;
}

export class SharedPacer {
  private readonly blocks = new Map<string, Block>();
  private readonly claims = new Map<string, Promise<void>>();
  /** Per account booked past the horizon: the local time it frees up; no claim before then. */
  private readonly bookedUntil = new Map<string, number>();
  /** Per account, the sends waiting for its schedule to free up (they wake a block's worth at a time). */
  private readonly waiting = new Map<string, number>();

  constructor(
    /** null: every scope is paced by this process alone (DELIVERY_SHARED_LIMITS=false). */
    private readonly store: SlotStore | null,
    /** Row keys of this deployment (HERALD_TOPIC_PREFIX): deployments sharing a database never share budgets. */
    private readonly keyPrefix = '',
    private readonly local = new Pacer(),
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Reserves one send in every scope; resolves to how long to wait before making it, or to null
   * when `sleep` was ended while the account's schedule was booked past the horizon (nothing of
   * the shared schedule is reserved then).
   */
  async reserve(
    scopes: readonly PaceScope[],
    sleep: PaceSleep = timerSleep,
  ): Promise<number | null> {
    const asked = this.clock();
    const shared = this.store ? scopes.filter((s) => s.shared) : [];
    const local = this.store ? scopes.filter((s) => !s.shared) : scopes;
    const localWait = local.length > 0 ? this.local.reserve(local) : 0;
    let wait = 0;
    for (const scope of shared) {
      const slot = await this.slot(scope.key, scope.rate, sleep);
      if (slot === null) return null;
      wait = Math.max(wait, slot);
    }
    // Time spent waiting for the schedule to free up counts against the local scopes' wait.
    return Math.max(wait, localWait - (this.clock() - asked));
  }

  /** The wait for the next unspent slot of `key`, claiming a block when none is left. */
  private async slot(key: string, rate: Rate, sleep: PaceSleep): Promise<number | null> {
    const interval = 1000 / rate.perSecond;
    for (;;) {
      const block = this.blocks.get(key);
      const now = this.clock();
      if (block) {
        const firstFresh = Math.ceil(
          (now - STALE_SLOTS * block.interval - block.start) / block.interval,
        );
        block.next = Math.max(block.next, firstFresh);
        if (block.next < block.count) {
          return Math.max(0, block.start + block.next++ * block.interval - now);
        }
      }
      const booked = this.bookedUntil.get(key);
      if (booked !== undefined && booked > now) {
        // The n-th send waiting wakes when its block can be claimed, not with all the others.
        const ahead = this.waiting.get(key) ?? 0;
        const count = blockSize(rate);
        this.waiting.set(key, ahead + 1);
        const woke = await sleep(booked - now + Math.floor(ahead / count) * count * interval);
        const left = (this.waiting.get(key) ?? 1) - 1;
        if (left > 0) this.waiting.set(key, left);
        else this.waiting.delete(key);
        if (!woke) return null;
        continue;
      }
      let claim = this.claims.get(key);
      if (!claim) {
        claim = this.claimBlock(key, rate, interval).finally(() => this.claims.delete(key));
        this.claims.set(key, claim);
      }
      await claim;
    }
  }

  private async claimBlock(key: string, rate: Rate, interval: number): Promise<void> {
    const count = blockSize(rate);
    const tolerance = (Math.floor(rate.burst) - 1) * interval;
    const asked = this.clock();
    const { startMs, endMs, nowMs } = await this.store!.claim(
      this.keyPrefix + key,
      count,
      interval,
      tolerance,
      HORIZON_MS,
    );
    // The database's clock, placed at the middle of the round trip on ours.
    const offset = (asked + this.clock()) / 2 - nowMs;
    if (startMs === null) {
      // At least a millisecond: a clock estimate a little off must not make a loop of refused claims.
      this.bookedUntil.set(key, Math.max(endMs - HORIZON_MS + offset, this.clock() + 1));
      return;
    }
    this.bookedUntil.delete(key);
    this.blocks.set(key, { start: startMs + offset, interval, count, next: 0 });
  }
}

/** Slots in a block: BLOCK_SECONDS of the rate, at least one. */
function blockSize(rate: Rate): number {
  return Math.max(1, Math.ceil(rate.perSecond * BLOCK_SECONDS));
}
