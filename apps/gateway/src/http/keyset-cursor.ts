// Opaque cursors for keyset pagination: the last id of a page, base64url-encoded, so callers
// never build them and pages never use OFFSET.
import { HeraldError } from '@herald/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1_000;

export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

/** The id a cursor stands for; null without a cursor; a 400 for a cursor Herald did not make. */
export function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined || cursor === '') return null;
  const id = /^[A-Za-z0-9_-]{1,64}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  if (!UUID.test(id)) {
    throw HeraldError.invalid(
      'cursor',
      'cursor is not valid.',
      'Pass the nextCursor of the previous page unchanged, or omit it for the first page.',
    );
  }
  return id;
}

export function pageSize(limit: string | undefined): number {
  if (limit === undefined || limit === '') return DEFAULT_PAGE_SIZE;
  const n = Number(limit);
  if (!/^\d+$/.test(limit) || n < 1 || n > MAX_PAGE_SIZE) {
    throw HeraldError.invalid('limit', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  }
  return n;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A page of rows fetched with `limit + 1`: the extra row only says whether there is more. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  idOf: (row: R) => string,
  view: (row: R) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  return {
    items: items.map(view),
    nextCursor: more && items.length > 0 ? encodeCursor(idOf(items[items.length - 1])) : null,
  };
}
