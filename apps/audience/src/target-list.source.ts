import type { Target } from '@herald/contracts';
import type { TargetPage, TargetSource } from './target.source.js';

/** The targets a request names (targets mode, set_conversation): slices of the list (cursor: the next index). */
export class TargetListSource implements TargetSource {
  constructor(
    private readonly targets: Target[],
    private readonly pageSize: number,
  ) {}

  async next(cursor: string | null): Promise<TargetPage | null> {
    const start = cursor === null ? 0 : Number(cursor);
    if (!Number.isInteger(start) || start >= this.targets.length) return null;
    const end = Math.min(start + this.pageSize, this.targets.length);
    return { targets: this.targets.slice(start, end), cursor: String(end) };
  }
}
