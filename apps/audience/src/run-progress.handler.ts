import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Topics, type DeliveryResult, type DeliveryResultBatch } from '@herald/contracts';
import { OnEvent, type EventBatch } from '@herald/kafka';
import { RunLedgerRepository, RunSkipRepository } from '@herald/persistence';
import {
  ledgerCounts,
  ledgerResults,
  stableId,
  subjectOf,
  type CountedResult,
} from './result-subjects.js';

/** What a fetch of results waits for: a few flushes' records (one is 10–150 KiB)… */
const RESULT_FETCH_BYTES = 256 * 1024;
/** …or this long, so a quiet run's counts still move twice a second. */
const RESULT_FETCH_WAIT_MS = 500;

/**
 * Folds delivery results into each run's counts: one statement per batch, whatever its size,
 * from one-result events (v1, producers not yet upgraded) and batched ones (v2) alike.
 * Each result counts once (the run_outcomes ledger): a result is about its contact, and a skipped
 * target about the event itself, whose producer derives its id from the target. Skips are also
 * kept one row each with their reason, for the console's run page. A `counted` result was counted
 * by its producer when it happened (the delivery services count sent and failed as they move a
 * person's row): it is passed over.
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
      batch.events
        .filter(({ data }) => ledgerCounts(data))
        .map(({ data, attributes }) => ({ result: data, eventId: attributes.id })),
    );
  }

  /**
   * Records of up to 1,000 results each: 20 make a statement of a few thousand, as v1's 2,000.
   * Counts are not on the way to anyone's message: a fetch waits for RESULT_FETCH_BYTES (or half
   * a second), so a fan-out's results come a few records a fetch, not one.
   */
  @OnEvent(Topics.DeliveryResultBatch, {
    batchSize: 20,
    fetchMinBytes: RESULT_FETCH_BYTES,
    fetchMaxWaitMs: RESULT_FETCH_WAIT_MS,
  })
  async handleBatches(@Payload() batch: EventBatch<DeliveryResultBatch>): Promise<void> {
    await this.fold(
      batch.events.flatMap(({ data, attributes }) => ledgerResults(data, attributes.id)),
    );
  }

  /** `results`: only those the ledger counts (ledgerCounts). */
  private async fold(results: CountedResult[]): Promise<void> {
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
      results.map((counted) => ({
        runId: counted.result.runId,
        subject: subjectOf(counted),
        status: counted.result.status,
      })),
    );
  }
}
