import { Injectable } from '@nestjs/common';
import type { BroadcastRequested } from '@herald/contracts';
import { RunRepository } from '@herald/persistence';
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
    private readonly runs: RunRepository,
  ) {}

  /** `traceparent`: the request's trace context, which the run's pages continue. */
  async accept(request: BroadcastRequested, traceparent?: string): Promise<void> {
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
}
