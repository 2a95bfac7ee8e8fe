import { PaceQueues } from './pace-queues.js';
import type { PaceScope } from './pacer.js';

const account: PaceScope = {
  key: 'sms:AC1:+15550001',
  rate: { perSecond: 2, burst: 1 },
  shared: true,
};
const fast: PaceScope = { key: 'sms:AC2:+15550002', rate: { perSecond: 1000, burst: 20 } };

describe('PaceQueues', () => {
  let now = 1_000_000;
  const clock = () => now;

  it('lets people wait while the queue in front of them is shorter than the limit, and parks the next', () => {
    const queues = new PaceQueues(2_000, clock);
    // Four waiting at 2/s: two seconds ahead, which is not longer than the limit.
    for (let i = 0; i < 4; i += 1) {
      expect(queues.parkIn([account])).toBeNull();
      queues.enter([account]);
    }
    queues.enter([account]);
    expect(queues.parkIn([account])).toEqual({ key: account.key, intervalMs: 500, waitMs: 2_500 });
  });

  it('parks newcomers behind people it parked until their turns have passed, so the queue keeps its order', () => {
    const queues = new PaceQueues(2_000, clock);
    const leaves = Array.from({ length: 5 }, () => queues.enter([account]));
    expect(queues.parkIn([account])).not.toBeNull();
    // The waiting people are sent: the local queue is empty, but one person is parked ahead.
    for (const leave of leaves) leave();
    expect(queues.parkIn([account])).toEqual({ key: account.key, intervalMs: 500, waitMs: 0 });
    // Two parked: the first due 2.5 s + 0.5 s from now, the second 0.5 s after. Past that, nobody is parked.
    now += 3_501;
    expect(queues.parkIn([account])).toBeNull();
  });

  it('parks a person released from parking again only when the queue in front of them is too long', () => {
    const queues = new PaceQueues(2_000, clock);
    const leaves = Array.from({ length: 5 }, () => queues.enter([account]));
    expect(queues.parkIn([account])).not.toBeNull();
    for (const leave of leaves.splice(0, 3)) leave();
    // People are parked behind them, but the queue in front is one second: they wait here.
    expect(queues.parkIn([account], true)).toBeNull();
    expect(queues.parkIn([account])).not.toBeNull();
    // Released faster than the account sends: five seconds in front, so parked again.
    leaves.push(...Array.from({ length: 8 }, () => queues.enter([account])));
    expect(queues.parkIn([account], true)).toMatchObject({ key: account.key, waitMs: 5_000 });
  });

  it('counts each scope on its own and parks in the one with the longest queue', () => {
    const queues = new PaceQueues(2_000, clock);
    for (let i = 0; i < 1_000; i += 1) queues.enter([fast]);
    // A thousand waiting at 1,000/s is one second.
    expect(queues.parkIn([fast])).toBeNull();
    for (let i = 0; i < 6; i += 1) queues.enter([account]);
    expect(queues.parkIn([fast, account])?.key).toBe(account.key);
  });

  it('forgets a person once they stop waiting', () => {
    const queues = new PaceQueues(1_000, clock);
    const leaves = Array.from({ length: 3 }, () => queues.enter([account]));
    expect(queues.parkIn([account])).not.toBeNull();
    now += 10_000;
    for (const leave of leaves) leave();
    expect(queues.parkIn([account])).toBeNull();
  });

  it('never parks when the limit is 0', () => {
    const queues = new PaceQueues(0, clock);
    for (let i = 0; i < 100; i += 1) queues.enter([account]);
    expect(queues.parkIn([account])).toBeNull();
  });
});
