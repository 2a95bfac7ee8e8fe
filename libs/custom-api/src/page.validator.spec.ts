import { describe, expect, it } from '@jest/globals';
import { MAX_ROWS, readPage } from './page.validator.js';

const page = (body: unknown) => readPage(JSON.stringify(body));

describe('readPage (seed 004 page shape)', () => {
  it('reads rows and the next token; numbers are accepted as uid and token', () => {
    expect(
      page({
        list: [
          { uid: 'a', msg: 'Hi' },
          { uid: 42, msg: 'Yo' },
        ],
        next: 7,
      }),
    ).toEqual({
      rows: [
        { uid: 'a', msg: 'Hi' },
        { uid: '42', msg: 'Yo' },
      ],
      next: '7',
      problems: [],
    });
  });

  it('treats an empty or missing next, and an empty body, as the last page', () => {
    expect(page({ list: [], next: '' }).next).toBeNull();
    expect(page({ list: [] }).next).toBeNull();
    expect(page({ list: [], next: null }).next).toBeNull();
    expect(readPage('  ')).toEqual({ rows: [], next: null, problems: [] });
  });

  it('skips a row whose text PostgreSQL cannot store (lone surrogate, NUL) with its reason; the rest of the page goes on', () => {
    const read = readPage(
      '{"list": [{"uid": "a", "msg": "x\\ud800"}, {"uid": "b\\u0000", "msg": "Hi"}, {"uid": "c", "msg": "ok"}]}',
    );
    expect(read.rows).toEqual([{ uid: 'c', msg: 'ok' }]);
    expect(read.problems[0].problem).toContain(
      'row 1 has text that cannot be stored: msg contains a lone UTF-16 surrogate',
    );
    expect(read.problems[0].problem).toContain(
      'row 2 has text that cannot be stored: uid contains the NUL character',
    );
  });

  it('keeps the first row of a repeated uid', () => {
    expect(
      page({
        list: [
          { uid: 'a', msg: 'first' },
          { uid: 'a', msg: 'second' },
        ],
      }).rows,
    ).toEqual([{ uid: 'a', msg: 'first' }]);
  });

  it(`refuses ${MAX_ROWS} rows or more, but not ${MAX_ROWS - 1}`, () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ uid: `u${i}`, msg: 'm' }));
    expect(page({ list: rows(MAX_ROWS - 1) }).problems).toEqual([]);
    expect(page({ list: rows(MAX_ROWS) }).problems).toEqual([
      {
        problem: `holds ${MAX_ROWS} rows; a page must hold fewer than ${MAX_ROWS}`,
        fix: expect.stringContaining('499'),
      },
    ]);
  });

  it('names what is wrong with the page and suggests the fix', () => {
    expect(readPage('<html>oops</html>').problems[0].problem).toBe(
      'is not JSON (it starts with "<html>oops</html>")',
    );
    expect(page([1, 2]).problems[0].problem).toBe(
      'is JSON but not an object with "list" and "next"',
    );
    expect(page({ items: [] }).problems[0].problem).toBe('has no "list" array (got nothing)');
    expect(page({ list: 'x' }).problems[0].problem).toBe('has no "list" array (got string)');
    expect(page({ list: [], next: { token: 1 } }).problems[0].problem).toBe(
      'has a "next" that is object, not a token',
    );
    const bad = page({
      list: [
        { uid: 'a', msg: 'ok' },
        null,
        { uid: '', msg: 'x' },
        { uid: 1.5, msg: 'x' },
        { uid: 'b', msg: '  ' },
        { uid: 'c', msg: 'x'.repeat(4097) },
      ],
    });
    expect(bad.rows).toEqual([{ uid: 'a', msg: 'ok' }]);
    expect(bad.problems).toEqual([
      {
        problem:
          'has 5 invalid row(s): row 2 is not an object; row 3 has no uid; row 4 has a uid that is not text or a whole number; …',
        fix: expect.stringContaining('"uid"'),
      },
    ]);
  });
});
