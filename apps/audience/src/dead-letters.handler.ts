import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ALL_TOPICS, dlqTopicOf } from '@herald/contracts';
import { OnRawRecords, type EventBatch, type RawValue } from '@herald/kafka';
import { DeadLetterLedgerService } from './dead-letter-ledger.service.js';

/** Every contract topic's DLQ (retry topics share it). */
export const DLQ_TOPICS = ALL_TOPICS.map((topic) => dlqTopicOf(topic));

/** Reads the DLQs raw: their records are there because they may not be valid events at all. */
@Controller()
export class DeadLettersHandler {
  constructor(private readonly ledger: DeadLetterLedgerService) {}

  // Dead letters are rare: one partition at a time per topic keeps ten consumers light.
  @OnRawRecords(DLQ_TOPICS, { batchSize: 100, concurrency: 1 })
  async handle(@Payload() batch: EventBatch<RawValue>): Promise<void> {
    await this.ledger.record(batch.events);
  }
}
