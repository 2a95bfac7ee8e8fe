import type { Target } from '@herald/contracts';
import type { TargetPage, TargetSource } from './target.source.js';

/**
 * Bytes of targets one page carries at most: with the content, set_variables and payload at
 * their limits (input-limits.ts), a target.resolved event still fits Kafka's 1 MB record. A page
 * always takes at least one target, which the limits keep under this on its own.
 */
export const MAX_PAGE_TARGET_BYTES = 400_000;

/**
 * The targets a request names (targets mode, set_conversation): slices of the list (cursor: the
 * next index), each at most `pageSize` targets and MAX_PAGE_TARGET_BYTES of JSON. Deterministic
 * for a cursor, so a resumed run cuts its pages where the first attempt did.
 */
export class TargetListSource implements TargetSource {
  constructor(
    private readonly targets: Target[],
    private readonly pageSize: number,
    private readonly maxBytes = MAX_PAGE_TARGET_BYTES,
  ) {}

  async next(cursor: string | null): Promise<TargetPage | null> {
    const start = cursor === null ? 0 : Number(cursor);
    if (!Number.isInteger(start) || start >= this.targets.length) return null;
    const last = Math.min(start + this.pageSize, this.targets.length);
    let end = start + 1;
    let bytes = Buffer.byteLength(JSON.stringify(this.targets[start]));
    while (end < last) {
      bytes += Buffer.byteLength(JSON.stringify(this.targets[end])) + 1;
      if (bytes > this.maxBytes) break;
      end += 1;
    }
    return { targets: this.targets.slice(start, end), cursor: String(end) };
  }
}
