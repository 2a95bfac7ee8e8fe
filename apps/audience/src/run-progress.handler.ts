import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type DeliveryResult } from '@herald/contracts';
import type { EventBatch } from '@herald/kafka';
import { RunRepository } from '@herald/persistence';

/**
 * Folds delivery results into each run's counts: one statement per batch, whatever its size.
 * Each result counts once (the run_outcomes ledger): a result is about its contact, and a skipped
 * target about the event itself, whose producer derives its id from the target.
 */
@Controller()
export class RunProgressHandler {
  constructor(private readonly runs: RunRepository) {}

  @EventPattern(Topics.DeliveryResult, { batchSize: 2000 })
  async handle(@Payload() batch: EventBatch<DeliveryResult>): Promise<void> {
    await this.runs.recordOutcomes(
      batch.events.map(({ data, attributes }) => ({
        runId: data.runId,
        subject: data.status !== 'skipped' && data.contactId ? data.contactId : `event:${attributes.id}`,
        status: data.status,
      })),
    );
  }
}
