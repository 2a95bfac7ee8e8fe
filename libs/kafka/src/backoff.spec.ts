import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('starts at 500 ms, doubles up to 30 s, and starts over after a reset', () => {
    const backoff = new Backoff();
    const delays = Array.from({ length: 9 }, () => backoff.next());
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(backoff.attempts).toBe(9);
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });

  it('stays at the cap however many failures', () => {
    const backoff = new Backoff({ initialMs: 10, maxMs: 100, factor: 3 });
    for (let i = 0; i < 5_000; i++) backoff.next();
    expect(backoff.next()).toBe(100);
  });
});
