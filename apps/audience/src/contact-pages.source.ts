import type { CompiledAudience } from '@herald/audience-filter';
import type { ContactScanRepository } from '@herald/persistence';
import type { TargetPage, TargetSource } from './target.source.js';

/** Contacts scanned per query at most when a filter applies: bounds each query, whatever the filter. */
const MAX_WINDOW = 20_000;

/**
 * The bot's contacts meeting the audience, in keyset pages of contact ids. The cursor is the
 * last contact considered: every contact up to it was either targeted or did not match.
 */
export class ContactPagesSource implements TargetSource {
  /** Matches per contact scanned so far: sizes the next scan window to about one page. */
  private matchRate = 1;

  constructor(
    private readonly contacts: ContactScanRepository,
    private readonly botId: string,
    private readonly audience: CompiledAudience,
    private readonly pageSize: number,
  ) {}

  async next(cursor: string | null): Promise<TargetPage | null> {
    if (this.audience.everyContact) {
      const ids = await this.contacts.pageIds(this.botId, cursor, this.pageSize);
      return ids.length === 0
        ? null
        : { targets: ids.map((contactId) => ({ contactId })), cursor: ids[ids.length - 1] };
    }
    const { ids, cursor: after } = await this.matching(cursor);
    return ids.length === 0
      ? null
      : { targets: ids.map((contactId) => ({ contactId })), cursor: after };
  }

  /** Up to a page of matches, gathered over as many scan windows as it takes (or the end of the contacts). */
  private async matching(cursor: string | null): Promise<{ ids: string[]; cursor: string | null }> {
    const ids: string[] = [];
    const scan = { where: this.audience, channel: this.audience.requiredChannel };
    let after = cursor;
    for (;;) {
      const want = this.pageSize - ids.length;
      const size = Math.min(
        MAX_WINDOW,
        Math.max(want, Math.ceil((want / Math.max(this.matchRate, 0.001)) * 1.2)),
      );
      const window = await this.contacts.scanIds(this.botId, after, size, want, scan);
      if (window.used > 0) this.matchRate = Math.max(window.matched.length / window.used, 0.0001);
      ids.push(...window.matched);
      // A full page ends at its last match (the rest of the window comes next time); a short
      // one ends where the scan ended, so the contacts after the last match are not scanned again.
      if (ids.length >= this.pageSize) return { ids, cursor: ids[ids.length - 1] };
      if (window.lastScanned !== null) after = window.lastScanned;
      if (window.scanned < size) return { ids, cursor: after };
    }
  }
}
