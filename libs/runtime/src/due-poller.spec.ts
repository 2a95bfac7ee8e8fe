import { jest } from '@jest/globals';
import type { Logger } from '@nestjs/common';
import { DuePoller, type DueWork } from './due-poller.js';

describe('DuePoller', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  const logger = () => {
    const lines: string[] = [];
    const log = {
      log: (m: string) => lines.push(m),
      debug: (m: string) => lines.push(`debug ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
    };
    return { lines, log: log as unknown as Logger };
  };

  it('releases full batches back to back, then sleeps until the next is due (at most its poll)', async () => {
    const batches = [3, 3, 1];
    const calls: number[] = [];
    const work: DueWork = {
      releaseDue: async (limit) => {
        calls.push(Date.now());
        expect(limit).toBe(3);
        return batches.shift() ?? 0;
      },
      nextDueAt: async () => new Date(Date.now() + 250),
    };
    const { lines, log } = logger();
    const poller = new DuePoller(work, log, 'parked people', 'their turn came', 3, 1_000);
    poller.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(3);
    expect(lines).toEqual([
      '3 parked people released: their turn came',
      '3 parked people released: their turn came',
      '1 parked people released: their turn came',
    ]);
    await jest.advanceTimersByTimeAsync(249);
    expect(calls).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(4);
    await poller.stop();
  });

  it('sleeps at least a tenth of a second between looks, and logs at the level it is given', async () => {
    const calls: number[] = [];
    const work: DueWork = {
      releaseDue: async () => {
        calls.push(Date.now());
        return 1;
      },
      nextDueAt: async () => new Date(Date.now() + 1),
    };
    const { lines, log } = logger();
    const poller = new DuePoller(
      work,
      log,
      'parked people',
      'their turn came',
      500,
      1_000,
      'debug',
    );
    poller.start();
    await jest.advanceTimersByTimeAsync(250);
    expect(calls.map((t) => t - 1_000_000)).toEqual([0, 100, 200]);
    expect(lines[0]).toBe('debug 1 parked people released: their turn came');
    await poller.stop();
  });

  it('looks again after its poll when nothing is due, and after a failure, which it logs', async () => {
    let fail = true;
    const calls: number[] = [];
    const work: DueWork = {
      releaseDue: async () => {
        calls.push(Date.now());
        if (fail) throw new Error('connection refused');
        return 0;
      },
      nextDueAt: async () => null,
    };
    const { lines, log } = logger();
    const poller = new DuePoller(work, log, 'held people', 'their window opened', 500, 1_000);
    poller.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(lines).toEqual([
      'warn releasing held people failed, retried in 1000 ms: connection refused',
    ]);
    fail = false;
    await jest.advanceTimersByTimeAsync(1_000);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(calls.map((t) => t - 1_000_000)).toEqual([0, 1_000, 2_000]);
    await poller.stop();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(calls).toHaveLength(3);
  });
});
