import { Injectable } from '@nestjs/common';
import type { BroadcastRequested } from '@herald/contracts';
import { ErrorCode, HeraldError } from '@herald/errors';
import { BotLookupRepository, RunLedgerRepository } from '@herald/persistence';
import { PromiseCache } from '@herald/runtime';
import { AudienceConfig } from './audience.config.js';

/**
 * Makes a BroadcastRequested durable as a run (once: a redelivered request finds its run), due
 * now or scheduled for later. Resolution is then claimed from PostgreSQL by an instance's
 * RunSchedulerService, so the Kafka consumer never holds its partition for a long run.
 */
@Injectable()
export class AcceptRunService {
  constructor(
    private readonly config: AudienceConfig,
    private readonly runs: RunLedgerRepository,
    private readonly bots: BotLookupRepository,
  ) {}

  /** Bots seen to exist (a bot is never re-created under its id, so a hit stays true). */
  private readonly knownBots = new PromiseCache<boolean>(KNOWN_BOT_MS);

  /** `traceparent`: the request's trace context, which the run's pages continue. */
  async accept(request: BroadcastRequested, traceparent?: string): Promise<void> {
    // Other services publish this topic too: a request for a bot that does not exist starts
    // nothing; it is dead-lettered with the reason (and its run, failed, says so).
    if (!(await this.botExists(request.botId))) {
      throw new HeraldError(
        ErrorCode.NotFound,
        `bot ${request.botId} does not exist; nothing was sent`,
        {
          field: 'botId',
        },
      );
    }
    const scheduledFor = request.scheduledFor ? new Date(request.scheduledFor) : new Date();
    await this.runs.createIfAbsent({
      id: request.runId,
      botId: request.botId,
      broadcastId: request.broadcastId ?? null,
      source: request.source,
      status: scheduledFor.getTime() > Date.now() ? 'scheduled' : 'resolving',
      scheduledFor,
      request,
      topicPrefix: this.config.HERALD_TOPIC_PREFIX,
      traceparent,
    });
  }

  private async botExists(botId: string): Promise<boolean> {
    const known = await this.knownBots.get(botId, () => this.bots.exists(botId));
    if (!known) this.knownBots.delete(botId); // not cached: the bot may be created a moment later
    return known;
  }
}

const KNOWN_BOT_MS = 60_000;
