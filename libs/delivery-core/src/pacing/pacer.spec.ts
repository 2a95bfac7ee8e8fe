import { Pacer } from './pacer.js';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('spaces calls at the rate once the burst is used', () => {
    const bucket = new TokenBucket({ perSecond: 10, burst: 1 });
    expect([bucket.reserve(0), bucket.reserve(0), bucket.reserve(0)]).toEqual([0, 100, 200]);
  });

  it('lets a burst through at once, then paces', () => {
    const bucket = new TokenBucket({ perSecond: 1 / 6, burst: 3 });
    expect([0, 0, 0, 0].map(() => bucket.reserve(1_000))).toEqual([0, 0, 0, 6_000]);
  });

  it('refills while idle', () => {
    const bucket = new TokenBucket({ perSecond: 10, burst: 1 });
    bucket.reserve(0);
    expect(bucket.reserve(100)).toBe(0);
    expect(bucket.idle(150)).toBe(false);
    expect(bucket.idle(200)).toBe(true);
  });

  it('holds a rate within 1 % over many concurrent reservations', () => {
    const bucket = new TokenBucket({ perSecond: 80, burst: 2 });
    const waits = Array.from({ length: 800 }, () => bucket.reserve(0));
    // 800 calls at 80/s, the first two at once: the last one goes out at (800 - 2) / 80 s.
    expect(Math.max(...waits)).toBeCloseTo(((800 - 2) / 80) * 1000, 6);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket({ perSecond: 0, burst: 1 })).toThrow(/invalid rate/);
  });
});

describe('Pacer', () => {
  it('waits for the slowest of its scopes', () => {
    let now = 0;
    const pacer = new Pacer(() => now);
    const account = { key: 'wa:1', rate: { perSecond: 100, burst: 1 } };
    const pair = (to: string) => ({ key: `wa:1:${to}`, rate: { perSecond: 1 / 6, burst: 1 } });
    expect(pacer.reserve([account, pair('a')])).toBe(0);
    expect(pacer.reserve([account, pair('b')])).toBe(10);
    expect(pacer.reserve([account, pair('a')])).toBe(6_000);
    now = 6_000;
    pacer.sweep();
    // Only recipient a still has a message queued (its second, at 6 s; then due at 12 s).
    expect(pacer.size).toBe(1);
    now = 12_001;
    pacer.sweep();
    expect(pacer.size).toBe(0);
  });

  it('starts a new bucket when a scope changes its rate', () => {
    const pacer = new Pacer(() => 0);
    pacer.reserve([{ key: 'sms:1', rate: { perSecond: 1, burst: 1 } }]);
    expect(pacer.reserve([{ key: 'sms:1', rate: { perSecond: 1, burst: 1 } }])).toBe(1_000);
    expect(pacer.reserve([{ key: 'sms:1', rate: { perSecond: 10, burst: 1 } }])).toBe(0);
  });
});
