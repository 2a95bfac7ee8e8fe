import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { createHash } from 'node:crypto';
import {
  Topics,
  resultsOf,
  type DeliveryResult,
  type DeliveryResultBatch,
} from '@herald/contracts';
import { OnEvent, type EventBatch } from '@herald/kafka';
import { RunLedgerRepository, RunSkipRepository } from '@herald/persistence';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `name` when it is a UUID (as Herald's producers give), else a UUID derived from it. */
function stableId(name: string): string {
  if (UUID.test(name)) return name;
  const hex = createHash('sha1').update(`herald:skip-id:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A result and what it is counted by when not by its contact (a skipped target): the event's
 * own id on v1; on v2 the item's `id`, which is the id its v1 event would have carried, so a
 * result announced once on each counts once.
 */
interface Counted {
  result: DeliveryResult;
  eventId: string;
}

/**
 * Folds delivery results into each run's counts: one statement per batch, whatever its size,
 * from one-result events (v1, producers not yet upgraded) and batched ones (v2) alike.
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
    await this.fold(
      batch.events.map(({ data, attributes }) => ({ result: data, eventId: attributes.id })),
    );
  }

  /** Records of up to 1,000 results each: 20 make a statement of a few thousand, as v1's 2,000. */
  @OnEvent(Topics.DeliveryResultBatch, { batchSize: 20 })
  async handleBatches(@Payload() batch: EventBatch<DeliveryResultBatch>): Promise<void> {
    await this.fold(
      batch.events.flatMap(({ data, attributes }) =>
        resultsOf(data).map(({ id, ...result }, index) => ({
          result,
          // An item with neither id nor contact (not from Herald) is named by its place in its
          // record, so the record read again counts it once.
          eventId: id ?? stableId(`${attributes.id}/${index}`),
        })),
      ),
    );
  }

  private async fold(results: Counted[]): Promise<void> {
    await this.skips.record(
      results
        .filter(({ result }) => result.status === 'skipped')
        .map(({ result, eventId }) => ({
          runId: result.runId,
          id: stableId(eventId),
          contactId: result.contactId ?? null,
          recipient: result.recipient ?? null,
          channel: result.channel ?? null,
          reason: result.reason ?? 'skipped (no reason given)',
          at: new Date(result.at),
        })),
    );
    await this.runs.recordOutcomes(
      results.map(({ result, eventId }) => ({
        runId: result.runId,
        subject:
          result.status !== 'skipped' && result.contactId ? result.contactId : `event:${eventId}`,
        status: result.status,
      })),
    );
  }
}
