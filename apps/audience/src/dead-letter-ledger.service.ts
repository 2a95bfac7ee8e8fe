// The dead-letter ledger: every record a consumer parked in a `.dlq` topic is stored once (for
// operators to read and replay) and counted in its run, so no run waits for a record that will
// never be processed.
import { Injectable, Logger, Optional } from '@nestjs/common';
import type { Counter } from 'prom-client';
import type { ConsumedEvent, RawValue } from '@herald/kafka';
import { MetricsRegistry } from '@herald/observability';
import { classifyFailure, describeError } from '@herald/errors';
import {
  DeadLetterRepository,
  RunLedgerRepository,
  type NewDeadLetter,
  type RunOutcome,
} from '@herald/persistence';
import { AudienceConfig } from './audience.config.js';
import {
  classLabel,
  failedRunReason,
  readDeadLetter,
  type RunEffect,
} from './dead-letter.reader.js';

@Injectable()
export class DeadLetterLedgerService {
  private readonly logger = new Logger(DeadLetterLedgerService.name);
  private readonly total?: Counter<string>;

  constructor(
    private readonly config: AudienceConfig,
    private readonly deadLetters: DeadLetterRepository,
    private readonly runs: RunLedgerRepository,
    @Optional() registry?: MetricsRegistry,
  ) {
    this.total = registry?.counter(
      'herald_dead_letters_total',
      'Dead letters stored by the ledger, by contract topic and class',
      ['topic', 'class'],
    );
  }

  /**
   * Stores each record, then applies its effect on its run. Both are idempotent (one row per DLQ
   * position; run outcomes keyed by subject; a finished run is not changed), so a batch read
   * again after a crash or a rebalance changes nothing twice.
   */
  async record(events: ConsumedEvent<RawValue>[]): Promise<void> {
    for (const event of events) {
      const { letter, effect } = readDeadLetter(event, this.config.HERALD_TOPIC_PREFIX);
      const { id, created } = await this.store(letter);
      if (created) {
        this.total?.inc({ topic: letter.topic, class: classLabel(letter.class) });
        this.logger.warn({
          msg: `dead letter ${id} from ${letter.sourceTopic ?? letter.topic} (${letter.class ?? 'unknown class'}): ${letter.reason ?? 'no reason'}`,
          ...(letter.runId ? { runId: letter.runId } : {}),
        });
      }
      try {
        await this.apply(id, effect, letter.reason);
      } catch (error) {
        // Same as storing: an outage is waited out; anything else is logged, the record ends.
        if (classifyFailure(error) === 'outage') throw error;
        this.logger.error({
          msg: `dead letter ${id} could not be counted in its run: ${describeError(error)}`,
          ...(letter.runId ? { runId: letter.runId } : {}),
        });
      }
    }
  }

  /**
   * A DLQ has no DLQ of its own: whatever is not an outage (which the transport waits out) must
   * end here. A record whose row PostgreSQL refuses is stored without its headers and value
   * (they stay in the DLQ topic for its retention), with why.
   */
  private async store(letter: NewDeadLetter): Promise<{ id: string; created: boolean }> {
    try {
      return await this.deadLetters.store(letter);
    } catch (error) {
      if (classifyFailure(error) === 'outage') throw error;
      this.logger.error({
        msg: `dead letter ${letter.topic}.dlq/${letter.dlqPartition}/${letter.dlqOffset} stored without headers and value: ${describeError(error)}`,
      });
      return this.deadLetters.store({
        ...letter,
        headers: {},
        key: null,
        value: null,
        valueEncoding: 'utf8',
        valueTruncated: true,
        reason: `${letter.reason ?? 'no reason'} (the ledger could not keep this record's headers and value: ${describeError(error).slice(0, 500)})`,
      });
    }
  }

  private async apply(id: string, effect: RunEffect, reason: string | null): Promise<void> {
    switch (effect.kind) {
      case 'none':
        return;
      case 'fail-run':
        await this.runs.failOrCreateFailed(
          {
            id: effect.runId,
            botId: effect.botId,
            broadcastId: effect.broadcastId,
            source: effect.source,
            topicPrefix: this.config.HERALD_TOPIC_PREFIX,
          },
          failedRunReason(id, reason),
        );
        return;
      case 'fail-targets': {
        if (!(await this.runs.isRunOf(effect.runId, effect.botId, this.config.HERALD_TOPIC_PREFIX)))
          return;
        // Stable subjects: read again, or parked twice, the page counts nothing twice.
        const of = effect.page === null ? id : `page-${effect.page}`;
        const outcomes: RunOutcome[] = Array.from({ length: effect.targets }, (_, i) => ({
          runId: effect.runId,
          subject: `dead-letter:${of}:${i}`,
          status: 'failed',
        }));
        await this.runs.recordOutcomes(outcomes);
        return;
      }
      case 'fail-contact':
        if (!(await this.runs.isRunOf(effect.runId, effect.botId, this.config.HERALD_TOPIC_PREFIX)))
          return;
        // Counted once either way: not when the delivery service ended their row (and counted it).
        await this.runs.failUnsettled(effect.runId, [effect.contactId]);
        return;
      case 'count-results':
        if (!(await this.runs.isRunOf(effect.runId, effect.botId, this.config.HERALD_TOPIC_PREFIX)))
          return;
        await this.runs.recordOutcomes(effect.outcomes);
        return;
      case 'fail-contacts':
        if (!(await this.runs.isRunOf(effect.runId, effect.botId, this.config.HERALD_TOPIC_PREFIX)))
          return;
        // A batched request: each person it names, as for one-person requests.
        await this.runs.failUnsettled(effect.runId, effect.contactIds);
        return;
    }
  }
}
