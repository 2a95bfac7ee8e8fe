import { DuplicateIndex, hashParts } from './duplicate-index.js';

function hashes(parts: (string | null)[]): [number, number] {
  const out = new Uint32Array(2);
  hashParts(parts, out);
  return [out[0], out[1]];
}

describe('DuplicateIndex', () => {
  it('counts arrivals of the same message and tells distinct ones apart', () => {
    const index = new DuplicateIndex(16);
    const a = index.add(...hashes(['sms', '+1555', 'text', 'hi', null]));
    const b = index.add(...hashes(['sms', '+1556', 'text', 'hi', null]));
    const again = index.add(...hashes(['sms', '+1555', 'text', 'hi', null]));

    expect(again).toBe(a);
    expect(b).not.toBe(a);
    expect(index.countOf(a)).toBe(2);
    expect(index.countOf(b)).toBe(1);
    expect(index.size).toBe(2);
  });

  it('keeps part boundaries: ("ab","c") is not ("a","bc"), null is not "null"', () => {
    expect(hashes(['ab', 'c'])).not.toEqual(hashes(['a', 'bc']));
    expect(hashes(['x', null])).not.toEqual(hashes(['x', 'null']));
  });

  it('grows past its initial size without losing counts', () => {
    const index = new DuplicateIndex(16);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 50_000; i++)
        index.add(...hashes(['whatsapp', String(i), 'text', 'same', null]));
    }

    expect(index.size).toBe(50_000);
    const group = index.add(...hashes(['whatsapp', '49999', 'text', 'same', null]));
    expect(index.countOf(group)).toBe(3);
  });
});
