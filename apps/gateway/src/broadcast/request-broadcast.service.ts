import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { MAX_REQUEST_EVENT_BYTES, Topics, type BroadcastRequested } from '@herald/contracts';
import { ErrorCode, HeraldError } from '@herald/errors';
import { EventPublisher } from '@herald/kafka';
import { BotLookupService } from '../lookups/bot-lookup.service.js';
import { checkBroadcastLimits } from './broadcast-limits.js';
import { normalizePhoneTargets } from './phone-targets.js';

export type BroadcastRequest = Omit<
  BroadcastRequested,
  'runId' | 'requestedAt' | 'scheduledFor'
> & { delayMinutes?: number };

export interface AcceptedRun {
  runId: string;
  scheduledFor: string;
}

/**
 * broadcast.requested.v1 takes messages up to MAX_REQUEST_EVENT_BYTES (a topic setting, so a
 * 1 MiB hook body fits once it becomes an event); the headroom is for the CloudEvents headers.
 * A request past it is refused before anything is published.
 */
export const MAX_EVENT_BYTES = MAX_REQUEST_EVENT_BYTES - 64 * 1024;

/** Every public API ends here: the request is durable in Kafka before the caller hears 2xx. */
@Injectable()
export class RequestBroadcastService {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly lookup: BotLookupService,
  ) {}

  /** Publishes the request as a BroadcastRequested with `runId` (a new one when absent). */
  async request(input: BroadcastRequest, runId: string = randomUUID()): Promise<AcceptedRun> {
    const { delayMinutes, ...rest } = input;
    if (rest.targets?.length) {
      const defaultCountry = (await this.lookup.bot(rest.botId))?.settings?.defaultCountry;
      rest.targets = normalizePhoneTargets(rest.targets, rest.source, defaultCountry);
    }
    const now = Date.now();
    const scheduledFor = new Date(now + (delayMinutes ?? 0) * 60_000).toISOString();
    const event: BroadcastRequested = {
      ...rest,
      runId,
      requestedAt: new Date(now).toISOString(),
      ...(delayMinutes ? { scheduledFor } : {}),
    };
    // A few microseconds for the usual small event; the parsers' own limits keep a request well
    // under this, so it guards what they cannot foresee.
    const json = JSON.stringify(event);
    checkBroadcastLimits(event, json);
    const bytes = Buffer.byteLength(json);
    if (bytes > MAX_EVENT_BYTES) {
      throw new HeraldError(
        ErrorCode.PayloadTooLarge,
        `This request becomes a ${bytes}-byte event, over the ${MAX_EVENT_BYTES} bytes a broadcast request may take.`,
        { fix: 'Split the targets over several calls (or send smaller variables or payload).' },
      );
    }
    try {
      await this.publisher.publish(Topics.BroadcastRequested, [{ key: runId, data: event, json }]);
    } catch (error) {
      // The publisher validates every event against its contract (the parsers should have
      // caught everything first); what slips through is still the caller's input.
      if (error instanceof HeraldError && error.code === ErrorCode.InvalidEvent) {
        throw HeraldError.invalid(
          'body',
          `The request does not fit Herald's broadcast contract: ${error.message}`,
        );
      }
      if (error instanceof HeraldError && !error.retriable) throw error;
      throw new HeraldError(
        ErrorCode.DependencyUnavailable,
        'The broadcast could not be queued; nothing was started. Retry shortly.',
        {
          retriable: true,
          cause: error,
        },
      );
    }
    return { runId, scheduledFor };
  }
}
