// Events are trusted only as far as they agree with what Herald stored: a page of targets must
// name a run that exists and the bot that run belongs to. Anything else (another service's
// mistake, or a forged event) is dead-lettered with the reason before any contact is touched.
import { Injectable } from '@nestjs/common';
import { ErrorCode, HeraldError } from '@herald/errors';
import { RunStatusRepository } from '@herald/persistence';
import { PromiseCache } from '@herald/runtime';

/** A run's bot never changes: a known owner can be reused for a while. */
const OWNER_CACHE_MS = 60_000;

@Injectable()
export class RunOwnerCheck {
  private readonly owners = new PromiseCache<string | null>(OWNER_CACHE_MS);

  constructor(private readonly runs: RunStatusRepository) {}

  /** Throws a permanent error unless run `runId` exists and belongs to bot `botId`. */
  async check({ runId, botId }: { runId: string; botId: string }): Promise<void> {
    const owner = await this.owners.get(runId, () => this.runs.botOf(runId));
    if (owner === null) {
      this.owners.delete(runId);
      throw new HeraldError(
        ErrorCode.NotFound,
        `run ${runId} does not exist; its targets were not resolved`,
        { field: 'runId' },
      );
    }
    if (owner !== botId) {
      throw new HeraldError(
        ErrorCode.Forbidden,
        `run ${runId} does not belong to bot ${botId}; its targets were not resolved`,
        {
          field: 'botId',
        },
      );
    }
  }
}
