import { Pacer } from './pacer.js';
import { SharedPacer, type SlotStore } from './shared-pacer.js';

/** A schedule like AccountBudgetRepository's: each claim starts where the last one ended. */
class FakeStore implements SlotStore {
  claims = 0;
  private nextMs = new Map<string, number>();
  constructor(private readonly clock: () => number) {}

  async claim(key: string, count: number, intervalMs: number) {
    this.claims += 1;
    const now = this.clock();
    const startMs = Math.max(this.nextMs.get(key) ?? now, now);
    this.nextMs.set(key, startMs + count * intervalMs);
    return { startMs, nowMs: now };
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

    const waits: number[] = [];
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

  it('keeps a recipient’s scope local', async () => {
    const store = new FakeStore(clock);
    const pacer = new SharedPacer(store, '', new Pacer(clock), clock);
    await pacer.reserve([{ key: 'person', rate: { perSecond: 1, burst: 1 } }]);
    expect(await pacer.reserve([{ key: 'person', rate: { perSecond: 1, burst: 1 } }])).toBe(1000);
    expect(store.claims).toBe(0);
  });
});
