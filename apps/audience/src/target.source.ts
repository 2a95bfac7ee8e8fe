import type { Target } from '@herald/contracts';

export interface TargetPage {
  targets: Target[];
  /** Where the page after this one starts (recorded with the page, so a resumed run continues there). */
  cursor: string | null;
}

/**
 * Where a run's targets come from, one page at a time. `next(cursor, page)` is deterministic for
 * a given cursor, so a resumed run picks up exactly after its last recorded page; null: no more.
 */
export interface TargetSource {
  next(cursor: string | null, page: number): Promise<TargetPage | null>;
}
