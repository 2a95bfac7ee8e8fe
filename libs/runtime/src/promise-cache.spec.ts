import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { PromiseCache } from './promise-cache.js';

describe('PromiseCache', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('shares one lookup between concurrent callers and reuses it until it expires', async () => {
    jest.useFakeTimers({ now: 0 });
    const cache = new PromiseCache<number>(1_000);
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    expect(await Promise.all([cache.get('a', load), cache.get('a', load)])).toEqual([1, 1]);
    jest.setSystemTime(999);
    expect(await cache.get('a', load)).toBe(1);
    jest.setSystemTime(1_000);
    expect(await cache.get('a', load)).toBe(2);
    expect(await cache.get('b', load)).toBe(3);
  });

  it('forgets a failed lookup, so the next caller asks again', async () => {
    const cache = new PromiseCache<string>(60_000);
    await expect(cache.get('a', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('a', () => Promise.resolve('up'))).toBe('up');
  });

  it('forgets its oldest lookup past its bound instead of growing with the keys', async () => {
    const cache = new PromiseCache<string>(60_000, 2);
    let loads = 0;
    const load = () => Promise.resolve(`v${++loads}`);
    await cache.get('a', load); // v1
    await cache.get('b', load); // v2
    await cache.get('c', load); // v3: 'a' goes
    expect(await cache.get('b', load)).toBe('v2');
    expect(await cache.get('a', load)).toBe('v4'); // 'b' is now the oldest lookup and goes
    expect(await cache.get('c', load)).toBe('v3');
    expect(await cache.get('b', load)).toBe('v5');
  });

  it('forgets every key on clear(), so the next callers look them up again', async () => {
    const cache = new PromiseCache<string>(60_000);
    let loads = 0;
    const load = () => Promise.resolve(`v${++loads}`);
    await cache.get('a', load);
    await cache.get('b', load);
    cache.clear();
    expect([await cache.get('a', load), await cache.get('b', load)]).toEqual(['v3', 'v4']);
  });
});
