import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { createHash } from 'node:crypto';
import { Topics, type DeliveryResult } from '@herald/contracts';
import { OnEvent, type EventBatch } from '@herald/kafka';
import { RunLedgerRepository, RunSkipRepository } from '@herald/persistence';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A skip's id: its event id (a UUID from Herald's producers), else a UUID derived from it. */
function skipId(eventId: string): string {
  if (UUID.test(eventId)) return eventId;
  const hex = createHash('sha1').update(`herald:skip-id:${eventId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Folds delivery results into each run's counts: one statement per batch, whatever its size.
 * Each result counts once (the run_outcomes ledger): a result is about its contact, and a skipped
 * target about the event itself, whose producer derives its id from the target. Skips are also
 * kept one row each with their reason, for the console's run page.
 */
@Controller()
export class RunProgressHandler {
  constructor(
    private readonly runs: RunLedgerRepository,
    private readonly skips: RunSkipRepository,
  ) {}

  @OnEvent(Topics.DeliveryResult, { batchSize: 2000 })
  async handle(@Payload() batch: EventBatch<DeliveryResult>): Promise<void> {
    await this.skips.record(
      batch.events
        .filter(({ data }) => data.status === 'skipped')
        .map(({ data, attributes }) => ({
          runId: data.runId,
          id: skipId(attributes.id),
          contactId: data.contactId ?? null,
          recipient: data.recipient ?? null,
          channel: data.channel ?? null,
          reason: data.reason ?? 'skipped (no reason given)',
          at: new Date(data.at),
        })),
    );
    await this.runs.recordOutcomes(
      batch.events.map(({ data, attributes }) => ({
        runId: data.runId,
        subject:
          data.status !== 'skipped' && data.contactId ? data.contactId : `event:${attributes.id}`,
        status: data.status,
      })),
    );
  }
}
