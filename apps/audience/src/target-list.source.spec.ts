import { TargetListSource } from './target-list.source.js';

describe('TargetListSource', () => {
  const targets = (n: number, note = '') =>
    Array.from({ length: n }, (_, i) => ({
      userId: `u${i}`,
      ...(note ? { variables: { note } } : {}),
    }));

  it('cuts pages of pageSize targets, the cursor being the next index', async () => {
    const source = new TargetListSource(targets(5), 2);
    expect(await source.next(null)).toEqual({ targets: targets(2), cursor: '2' });
    expect((await source.next('4'))?.targets).toEqual([{ userId: 'u4' }]);
    expect(await source.next('5')).toBeNull();
  });

  it('cuts a page early when its targets would pass the byte bound, and always takes one', async () => {
    const big = targets(10, 'x'.repeat(4_000));
    const source = new TargetListSource(big, 500, 10_000);
    const first = await source.next(null);
    expect(first?.targets).toHaveLength(2);
    expect(first?.cursor).toBe('2');
    const alone = new TargetListSource(big, 500, 100);
    expect((await alone.next('3'))?.targets).toHaveLength(1);
  });
});
