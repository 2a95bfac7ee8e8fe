import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('loads a key once per TTL, sharing a load between concurrent misses', async () => {
    const cache = new TtlCache<number>(50);
    let loads = 0;
    const load = async () => ++loads;
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    await new Promise((r) => setTimeout(r, 60));
    expect(await cache.get('k', load)).toBe(2);
  });

  it('does not keep a failed load, and stays within its size', async () => {
    const cache = new TtlCache<string>(10_000, 2);
    await expect(cache.get('k', () => Promise.reject(new Error('db down')))).rejects.toThrow(
      'db down',
    );
    expect(await cache.get('k', async () => 'ok')).toBe('ok');
    await cache.get('a', async () => 'a');
    await cache.get('b', async () => 'b');
    // 'k' was the oldest entry and was evicted for 'b'.
    expect(await cache.get('k', async () => 'reloaded')).toBe('reloaded');
  });
});
