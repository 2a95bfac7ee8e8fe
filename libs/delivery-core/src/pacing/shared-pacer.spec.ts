import { eventually } from '@herald/testing';
import { Pacer } from './pacer.js';
import { SharedPacer, type SlotStore } from './shared-pacer.js';

/** A schedule like AccountBudgetRepository's: each claim starts where the last one ended. */
class FakeStore implements SlotStore {
  claims = 0;
  private nextMs = new Map<string, number>();
  constructor(private readonly clock: () => number) {}

  async claim(key: string, count: number, intervalMs: number, _: number, horizonMs: number) {
    this.claims += 1;
    const now = this.clock();
    const booked = this.nextMs.get(key);
    if (booked !== undefined && booked > now + horizonMs)
      return { startMs: null, endMs: booked, nowMs: now };
    const startMs = Math.max(booked ?? now, now);
    this.nextMs.set(key, startMs + count * intervalMs);
    return { startMs, endMs: startMs + count * intervalMs, nowMs: now };
  }
}

describe('SharedPacer', () => {
  let now = 1_000_000;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('spaces one account’s sends by its rate, claiming a tenth of a second at a time', async () => {
    const store = new FakeStore(clock);
    const pacer = new SharedPacer(store, '', new Pacer(clock), clock);
    const scope = [{ key: 'acct', rate: { perSecond: 100, burst: 1 }, shared: true }];

    const waits: Array<number | null> = [];
    for (let i = 0; i < 25; i++) waits.push(await pacer.reserve(scope));

    expect(waits.slice(0, 4)).toEqual([0, 10, 20, 30]);
    expect(waits[24]).toBe(240);
    expect(store.claims).toBe(3);
  });

  it('skips slots whose moment passed instead of sending late bursts', async () => {
    const store = new FakeStore(clock);
    const pacer = new SharedPacer(store, '', new Pacer(clock), clock);
    const scope = [{ key: 'acct', rate: { perSecond: 100, burst: 1 }, shared: true }];

    await pacer.reserve(scope);
    now += 55; // busy elsewhere: the slots at +10 … +30 are stale (older than two intervals)
    expect(await pacer.reserve(scope)).toBe(0); // the slot at +40 is used (15 ms late)
    expect(await pacer.reserve(scope)).toBe(0); // +50
    expect(await pacer.reserve(scope)).toBe(5); // then +60
  });

  it('claims at most ten blocks a second at an unpaced rate, however few of its slots are used', async () => {
    const store = new FakeStore(clock);
    const pacer = new SharedPacer(store, '', new Pacer(clock), clock);
    const scope = [{ key: 'acct', rate: { perSecond: 1_000_000, burst: 1 }, shared: true }];

    for (let i = 0; i < 50_000; i++) {
      now += 0.5; // 2,000 sends a second: far below the rate, so most slots go stale
      await pacer.reserve(scope);
    }
    // 25 s of sending at ten claims a second at most, whatever the rate.
    expect(store.claims).toBeLessThanOrEqual(251);
  });

  it('books the account at most a second ahead: a replica that gives its people back holds the others up for no longer', async () => {
    const store = new FakeStore(clock);
    const scope = [{ key: 'acct', rate: { perSecond: 10, burst: 1 }, shared: true }];
    // Replica A: 100 sends waiting at 10/s. Its sleeps (for the schedule to free up) are ended
    // when it hands its batch back.
    const handBack: Array<() => void> = [];
    const sleepUntilHandBack = () =>
      new Promise<boolean>((resolve) => handBack.push(() => resolve(false)));
    const a = new SharedPacer(store, '', new Pacer(clock), clock);
    const reserved = Promise.all(
      Array.from({ length: 100 }, () => a.reserve(scope, sleepUntilHandBack)),
    );
    await eventually(async () => handBack.length === 89, "A's sends past the horizon to wait");
    for (const end of handBack) end();
    const waits = await reserved;
    // Slots for the next 1.1 s were booked (0, 100, …, 1,000 ms); the others booked nothing.
    expect(waits.filter((w) => w !== null)).toEqual(Array.from({ length: 11 }, (_, i) => i * 100));
    expect(waits.filter((w) => w === null)).toHaveLength(89);

    // Replica B's first send: the 11 slots A booked and will not use are all it waits for.
    const b = new SharedPacer(store, '', new Pacer(clock), clock);
    const start = now;
    const advance = async (ms: number) => {
      now += ms;
      return true;
    };
    const wait = await b.reserve(scope, advance);
    expect(now - start + wait!).toBe(1_100);
  });

  it('a send whose account is booked ahead waits for it to free up, then takes the next slot', async () => {
    const store = new FakeStore(clock);
    const pacer = new SharedPacer(store, '', new Pacer(clock), clock);
    const scope = [{ key: 'acct', rate: { perSecond: 10, burst: 1 }, shared: true }];
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
      now += ms;
      return true;
    };
    const waits: Array<number | null> = [];
    for (let i = 0; i < 13; i++) waits.push(await pacer.reserve(scope, sleep));
    expect(waits).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000, 1_000, 1_000]);
    expect(slept).toEqual([100, 100]);
  });

  it('wakes the sends waiting for the schedule a block at a time, not all at once', async () => {
    const store = new FakeStore(clock);
    const pacer = new SharedPacer(store, '', new Pacer(clock), clock);
    const scope = [{ key: 'acct', rate: { perSecond: 10, burst: 1 }, shared: true }];
    const slept: number[] = [];
    const ends: Array<() => void> = [];
    const sleep = (ms: number) =>
      new Promise<boolean>((resolve) => {
        slept.push(ms);
        ends.push(() => resolve(false));
      });
    const reserved = Promise.all(Array.from({ length: 40 }, () => pacer.reserve(scope, sleep)));
    await eventually(async () => slept.length === 29, 'the sends past the horizon to wait');
    // One slot a block at 10/s: the n-th waiting send wakes when the n-th next block frees up.
    expect(slept).toEqual(Array.from({ length: 29 }, (_, n) => 100 + n * 100));
    for (const end of ends) end();
    expect((await reserved).filter((w) => w === null)).toHaveLength(29);
  });

  it('keeps a recipient’s scope local', async () => {
    const store = new FakeStore(clock);
    const pacer = new SharedPacer(store, '', new Pacer(clock), clock);
    await pacer.reserve([{ key: 'person', rate: { perSecond: 1, burst: 1 } }]);
    expect(await pacer.reserve([{ key: 'person', rate: { perSecond: 1, burst: 1 } }])).toBe(1000);
    expect(store.claims).toBe(0);
  });
});
