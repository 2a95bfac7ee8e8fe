// Frequency caps (issue 13): a bot's `frequencyCap: {max, hours}` skips a person who already got
// `max` broadcast messages from it in the last `hours`. Sends that target one person explicitly
// (Chatfuel V1/V2, CSML) are neither capped nor counted, unless the cap says `singleSends`.
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { TargetResolved } from '@herald/contracts';
import { PromiseCache } from '@herald/runtime';
import {
  BotLookupRepository,
  FrequencyLedgerRepository,
  type BotSettings,
  type ContactToReach,
} from '@herald/persistence';

export type FrequencyCap = NonNullable<BotSettings['frequencyCap']>;

/** Runs that message one person the caller named: exempt from the cap by default. */
export const SINGLE_PERSON_SOURCES: readonly string[] = ['chatfuel-v1', 'chatfuel-v2', 'csml'];

/** Bot settings are reused this long before they are read again. */
const SETTINGS_CACHE_MS = 10_000;

export function capApplies(
  cap: FrequencyCap | undefined,
  source: string | null,
): cap is FrequencyCap {
  return (
    cap !== undefined && (cap.singleSends === true || !SINGLE_PERSON_SOURCES.includes(source ?? ''))
  );
}

export function capReason(who: string, received: number, cap: FrequencyCap): string {
  return `frequency cap: ${who} already received ${received} broadcast message${received === 1 ? '' : 's'} from this bot in the last ${cap.hours} hours (the bot allows ${cap.max})`;
}

/** A bot's settings, read at most every few seconds per bot (shared by the contact stage's policies). */
@Injectable()
export class BotSettingsCache {
  private readonly cache = new PromiseCache<BotSettings>(SETTINGS_CACHE_MS);

  constructor(private readonly bots: BotLookupRepository) {}

  get(botId: string): Promise<BotSettings> {
    return this.cache.get(botId, () => this.bots.settingsOf(botId));
  }
}

@Injectable()
export class FrequencyCapService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(FrequencyCapService.name);
  private readonly sources = new PromiseCache<string | null>(10 * 60_000);
  private pruner?: NodeJS.Timeout;

  constructor(
    private readonly settings: BotSettingsCache,
    private readonly ledger: FrequencyLedgerRepository,
  ) {}

  onModuleInit(): void {
    // Ledger rows older than any cap can look back are dropped hourly (any instance may do it).
    this.pruner = setInterval(() => {
      this.ledger
        .prune()
        .catch((error: unknown) =>
          this.logger.warn(`frequency ledger prune failed: ${String(error)}`),
        );
    }, 3_600_000);
    this.pruner.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pruner);
  }

  /**
   * Splits the people a page is about to message into those the cap lets through (recorded in
   * the ledger, so later runs count them) and those it skips, with the reason. One count and one
   * insert per page; a page handled twice decides the same (its own run is never counted).
   */
  async apply<T extends { contact: ContactToReach }>(
    page: TargetResolved,
    people: T[],
    describe: (entry: T) => string,
  ): Promise<{ allowed: T[]; capped: Array<T & { reason: string }> }> {
    const cap = (await this.settings.get(page.botId)).frequencyCap;
    if (!cap || people.length === 0) return { allowed: people, capped: [] };
    const source = await this.sources.get(page.runId, () => this.ledger.runSource(page.runId));
    if (!capApplies(cap, source)) return { allowed: people, capped: [] };
    const counts = await this.ledger.recentCounts(
      page.botId,
      page.runId,
      people.map((p) => p.contact.id),
      cap.hours,
    );
    const allowed: T[] = [];
    const capped: Array<T & { reason: string }> = [];
    for (const entry of people) {
      const received = counts.get(entry.contact.id) ?? 0;
      if (received >= cap.max)
        capped.push({ ...entry, reason: capReason(describe(entry), received, cap) });
      else allowed.push(entry);
    }
    await this.ledger.record(
      page.botId,
      page.runId,
      allowed.map((p) => p.contact.id),
    );
    return { allowed, capped };
  }
}
