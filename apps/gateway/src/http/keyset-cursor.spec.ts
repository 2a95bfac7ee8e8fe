import { errorOf } from '../testing/error-of.js';
import { decodeCursor, encodeCursor, pageSize, toPage } from './keyset-cursor.js';

const id = '0b6f3a44-2f55-4b8e-9a6b-3c1f0f8e2a11';

describe('keyset cursors', () => {
  it('round-trips an id and refuses cursors Herald did not make', () => {
    expect(decodeCursor(encodeCursor(id))).toBe(id);
    expect(decodeCursor(undefined)).toBeNull();
    expect(decodeCursor('')).toBeNull();
    expect(errorOf(() => decodeCursor('not-a-cursor')).field).toBe('cursor');
    expect(errorOf(() => decodeCursor(encodeCursor("1' OR 1=1"))).field).toBe('cursor');
  });

  it('reads limits from 1 to 1000', () => {
    expect(pageSize(undefined)).toBe(100);
    expect(pageSize('1000')).toBe(1000);
    for (const bad of ['0', '1001', '-1', '2.5', 'ten'])
      expect(errorOf(() => pageSize(bad)).field).toBe('limit');
  });

  it('gives a next cursor only when the extra row shows there is more', () => {
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    expect(
      toPage(
        rows,
        2,
        (r) => r.id,
        (r) => r.id,
      ),
    ).toEqual({ items: ['a', 'b'], nextCursor: encodeCursor('b') });
    expect(
      toPage(
        rows,
        3,
        (r) => r.id,
        (r) => r.id,
      ),
    ).toEqual({ items: ['a', 'b', 'c'], nextCursor: null });
  });
});
