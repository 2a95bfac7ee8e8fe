// Records the outcomes of one batch as they come, in small groups (every FLUSH_MS or FLUSH_SIZE
// outcomes, sooner when sends wait for their slots): rows first (a few batched statements), then
// the events they imply (results, retries, dead letters). An outcome may carry the release of its
// send's slot (DeliverService's bound on sends not yet recorded): it is called once the rows are
// written, or once writing them has failed for good. Recording while the batch is still sending
// keeps the window a crash can leave unrecorded small, and lets provider status webhooks find
// their rows early.
import { Logger } from '@nestjs/common';
import {
  Topics,
  deliveryTopicFor,
  resultBatches,
  type Channel,
  type DeliveryFallback,
  type DeliveryRequested,
  type DeliveryResult,
  type DeliveryTopic,
} from '@herald/contracts';
import { classifyFailure, decide, describeError } from '@herald/errors';
import {
  DLQ_HEADERS,
  type EventPublisher,
  type HandledTopic,
  type OutgoingEvent,
} from '@herald/kafka';
import type {
  DeliveryKey,
  DeliveryRepository,
  DeliveryState,
  FailedDelivery,
  ParkedDelivery,
  SentDelivery,
} from '@herald/persistence';
import type { DeliveryMetrics } from './delivery.metrics.js';
import { fallbackEvent } from './fallback.js';
import { codeText, reasonText, resultsOfRow } from './row-results.js';
import type { RetrySchedule } from './retry-schedule.js';

export type Outcome =
  /** The provider accepted every message. */
  | {
      kind: 'sent';
      request: DeliveryRequested;
      providerMessageId: string | null;
      segments?: number;
      /** The channels row (provider account) that sent. */
      accountId?: string;
      /** Why the accounts before it did not send (provider failover). */
      failover?: string;
    }
  /** Permanent: a rule or the provider refused it for good. */
  | {
      kind: 'failed';
      request: DeliveryRequested;
      code: string;
      reason: string;
      /** Messages of the sequence sent before it failed (channel fallback only hands on whole sequences). */
      sentMessages?: number;
    }
  /**
   * Channel fallback: this channel cannot reach the person ("not here"); the row fails with the
   * reason and names `next`, and the person is handed back to the contact service for `next`.
   * No result is announced for this row: the next channel's result counts the person once.
   */
  | { kind: 'fallback'; request: DeliveryRequested; code: string; reason: string; next: Channel }
  /** Retriable failure: an attempt spent; the next retry stage, or the DLQ after the last. */
  | {
      kind: 'retry';
      request: DeliveryRequested;
      code: string;
      reason: string;
      sentMessages: number;
    }
  /** Not attempted (shutdown, open breaker): the row goes back to pending, nothing spent. */
  | { kind: 'held'; request: DeliveryRequested; sentMessages: number; reason: string }
  /**
   * Parked in the account's queue, behind its pacing (PaceQueues) or until its open breaker lets
   * calls through: the row goes back to pending, nothing spent, and the event waits in
   * paced_deliveries until the person's turn.
   */
  | {
      kind: 'parked';
      request: DeliveryRequested;
      sentMessages: number;
      park: Pick<
        ParkedDelivery,
        'topicPrefix' | 'paceKey' | 'intervalMs' | 'waitMs' | 'code' | 'reason'
      >;
    }
  /** The claim found the row already final (a redelivered event): announce it again. */
  | { kind: 'settled'; request: DeliveryRequested; state: DeliveryState }
  /** The claim found the row being sent by another consumer (rebalance) or a dead one (lease). */
  | { kind: 'busy'; request: DeliveryRequested };

const FLUSH_MS = 100;
const FLUSH_SIZE = 200;
/** hurry() writes at once from this many buffered outcomes: fewer wait for FLUSH_MS. */
const HURRY_SIZE = FLUSH_SIZE / 4;
const WRITE_TRIES = 5;
/** The longest wait between two tries of recording through a database outage. */
const WRITE_RETRY_MAX_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DeliveryRecorder {
  private readonly logger = new Logger(DeliveryRecorder.name);
  private buffer: Outcome[] = [];
  /** The slot releases of the outcomes in `buffer`. */
  private written: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  /** Flushes in progress: they run side by side (each row is in one flush, its events after it). */
  private readonly flushes = new Set<Promise<void>>();
  private failure: unknown;
  /** Held with nothing sent: their rows were released and the batch must be redelivered. */
  released = 0;
  /** Why the first of them was held. */
  releasedReason = '';

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly publisher: EventPublisher,
    private readonly retries: RetrySchedule,
    private readonly onRecorded: (keys: DeliveryKey[]) => void = () => undefined,
    private readonly metrics?: DeliveryMetrics,
    /** Aborted when the service shuts down: recording then gets WRITE_TRIES, outage or not. */
    private readonly shuttingDown?: AbortSignal,
  ) {}

  /** Buffers `outcome`; `written` is called once its row is written (or failed to be for good). */
  add(outcome: Outcome, written?: () => void): void {
    this.buffer.push(outcome);
    if (written) this.written.push(written);
    if (outcome.kind === 'held' && outcome.sentMessages === 0 && this.released++ === 0) {
      this.releasedReason = outcome.reason;
    }
    if (this.buffer.length >= FLUSH_SIZE) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Flushes what is left and waits for every flush; throws when one could not be recorded. */
  async close(): Promise<void> {
    this.flush();
    while (this.flushes.size > 0) await Promise.all(this.flushes);
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Sends wait for their outcomes' slots: writes what is buffered at once if it is worth a write
   * (HURRY_SIZE), or else leaves it to FLUSH_MS. Waiting senders call this again and again, and
   * rows written one or two at a time would cost far more than the wait.
   */
  hurry(): void {
    if (this.buffer.length >= HURRY_SIZE) this.flush();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const outcomes = this.buffer;
    const written = this.written;
    this.buffer = [];
    this.written = [];
    const release = () => {
      for (const free of written.splice(0)) free();
    };
    const flush: Promise<void> = this.record(outcomes, release)
      .catch((error: unknown) => {
        this.failure ??= error;
        this.logger.error(
          `Could not record ${outcomes.length} delivery outcome(s): ${describeError(error)}`,
        );
      })
      .finally(() => {
        release();
        this.flushes.delete(flush);
      });
    this.flushes.add(flush);
  }

  private async record(outcomes: Outcome[], written: () => void): Promise<void> {
    const sent: SentDelivery[] = [];
    const failed: FailedDelivery[] = [];
    const fellBack: Array<FailedDelivery & { to: string }> = [];
    const fallbacks: OutgoingEvent<DeliveryFallback>[] = [];
    const pending: FailedDelivery[] = [];
    const released: DeliveryKey[] = [];
    const parked: ParkedDelivery[] = [];
    const results: DeliveryResult[] = [];
    const announcedAgain: DeliveryResult[] = [];
    // Read again later (a retry twin, or the topic itself), or parked in the DLQ.
    const again = new Map<HandledTopic<DeliveryTopic>, OutgoingEvent<DeliveryRequested>[]>();
    const dead = new Map<DeliveryTopic, OutgoingEvent<DeliveryRequested>[]>();
    const at = new Date().toISOString();
    const add = <K>(
      to: Map<K, OutgoingEvent<DeliveryRequested>[]>,
      topic: K,
      event: OutgoingEvent<DeliveryRequested>,
    ) => {
      const list = to.get(topic) ?? [];
      list.push(event);
      to.set(topic, list);
    };

    for (const outcome of outcomes) {
      const { request } = outcome;
      const key = { runId: request.runId, contactId: request.contactId };
      const base = {
        runId: request.runId,
        botId: request.botId,
        contactId: request.contactId,
        channel: request.channel,
        at,
      };
      const topic = deliveryTopicFor(request.channel);
      switch (outcome.kind) {
        case 'sent': {
          sent.push({
            ...key,
            providerMessageId: outcome.providerMessageId,
            segments: outcome.segments ?? null,
            accountId: outcome.accountId ?? null,
            failover: outcome.failover ?? null,
          });
          results.push({
            ...base,
            status: 'sent',
            ...(outcome.providerMessageId ? { providerMessageId: outcome.providerMessageId } : {}),
            ...(outcome.segments !== undefined ? { segments: outcome.segments } : {}),
            ...(outcome.accountId ? { accountId: outcome.accountId } : {}),
            ...(outcome.failover ? { failedOver: true } : {}),
            counted: true,
          });
          break;
        }
        case 'failed':
          failed.push({ ...key, reason: outcome.reason, code: outcome.code });
          results.push({
            ...base,
            status: 'failed',
            reason: reasonText(outcome.reason),
            code: codeText(outcome.code),
            counted: true,
          });
          break;
        case 'fallback':
          fellBack.push({
            ...key,
            reason: reasonText(
              `${outcome.reason}; sent on ${outcome.next} instead (channel fallback)`,
            ),
            code: outcome.code,
            to: outcome.next,
          });
          fallbacks.push({
            key: request.contactId,
            data: fallbackEvent(request, outcome.next, outcome.code, outcome.reason, at),
          });
          break;
        case 'retry': {
          // The retry topics while attempts are left; then failed, with a copy in the DLQ.
          const decision = decide('transient', {
            site: 'delivery',
            attempts: request.attempt + 1,
            maxAttempts: this.retries.attempts,
          });
          const next =
            decision.action === 'retry-later'
              ? this.retries.nextTopic(topic, request.attempt)
              : null;
          if (next) {
            pending.push({ ...key, reason: outcome.reason, code: outcome.code });
            add(
              again,
              next,
              // A retry takes its place in the account's queue again (it may be parked).
              this.event({
                ...withoutPacing(request),
                attempt: request.attempt + 1,
                sentMessages: outcome.sentMessages,
              }),
            );
            break;
          }
          const reason = reasonText(
            `gave up after ${request.attempt + 1} attempts: ${outcome.reason}`,
          );
          failed.push({ ...key, reason, code: outcome.code });
          results.push({
            ...base,
            status: 'failed',
            reason,
            code: codeText(outcome.code),
            counted: true,
          });
          add(
            dead,
            topic,
            this.event(request, {
              [DLQ_HEADERS.reason]: reason,
              [DLQ_HEADERS.code]: outcome.code,
              [DLQ_HEADERS.topic]: topic,
              [DLQ_HEADERS.at]: at,
              [DLQ_HEADERS.class]: 'transient',
              [DLQ_HEADERS.attempts]: String(request.attempt + 1),
            }),
          );
          break;
        }
        case 'held':
          if (outcome.sentMessages === 0) {
            released.push(key);
          } else {
            // Part of the messages went out: the rest waits on a retry topic, no attempt spent.
            pending.push({ ...key, reason: outcome.reason, code: 'HELD' });
            add(
              again,
              this.retries.firstTopic(topic) ?? topic,
              this.event({ ...request, sentMessages: outcome.sentMessages }),
            );
          }
          break;
        case 'parked':
          parked.push({
            ...key,
            channel: request.channel,
            ...outcome.park,
            event: { ...request, sentMessages: outcome.sentMessages },
          });
          break;
        case 'settled':
          if (outcome.state.fallbackTo) {
            // Handed on to another channel: hand them on again (the contact service's listing
            // and the next row's claim make it once); this row announces nothing.
            fallbacks.push({
              key: request.contactId,
              data: fallbackEvent(
                request,
                outcome.state.fallbackTo as Channel,
                outcome.state.code ?? 'FALLBACK',
                outcome.state.reason ?? 'channel fallback',
                at,
              ),
            });
            break;
          }
          // Announced again for the run's counts, which take each once; not counted again here.
          announcedAgain.push(...resultsOfRow(outcome.state, base, 'send'));
          break;
        case 'busy':
          add(again, this.retries.firstTopic(topic) ?? topic, this.event(request));
          break;
      }
    }

    // Rows first, then events: a crash in between redelivers the batch, whose rows are final
    // by then (announced again, counted once) or pending (claimed and sent again). Moving a row
    // to sent or failed counts the person in the run in the same statement, so the results say
    // `counted` and the run-progress fold passes over them.
    await this.write(() =>
      Promise.all([
        this.deliveries.markSent(sent),
        this.deliveries.markFailed(failed),
        this.deliveries.markFellBack(fellBack),
        this.deliveries.markPending(pending),
        this.deliveries.release(released),
        this.deliveries.park(parked),
      ]),
    );
    written();
    this.onRecorded(
      outcomes.map((o) => ({ runId: o.request.runId, contactId: o.request.contactId })),
    );
    await Promise.all([
      // One record per run (cut by count and bytes), not one per person.
      this.publisher.publish(
        Topics.DeliveryResultBatch,
        resultBatches([...results, ...announcedAgain]).map((data) => ({ key: data.runId, data })),
      ),
      ...(fallbacks.length > 0 ? [this.publisher.publish(Topics.DeliveryFallback, fallbacks)] : []),
      ...[...again].map(([topic, events]) => this.publisher.publishRetry(topic, events)),
      ...[...dead].map(([topic, events]) => this.publisher.publishDeadLetters(topic, events)),
    ]);
    this.metrics?.published(results);
    if (failed.length > 0)
      this.logger.log({
        msg: `${failed.length} deliveries failed permanently (first: run ${failed[0].runId}, contact ${failed[0].contactId}: ${failed[0].reason})`,
        runId: failed[0].runId,
        runIds: [...new Set(failed.map((f) => f.runId))],
      });
  }

  /**
   * The rows record what the provider already accepted; a row left `sending` is claimed again once
   * its lease ends, and its person sent a second time. So through a database outage (down, or
   * stalled past the statement timeout) recording goes on until it succeeds, while the batch keeps
   * its partition and its rows' lease: the outage pauses the batch, it does not send anyone twice.
   * Any other failure, and any failure once the service is shutting down, gets WRITE_TRIES.
   */
  private async write(statements: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await statements();
        return;
      } catch (error) {
        const waitOut = classifyFailure(error) === 'outage' && !this.shuttingDown?.aborted;
        if (!waitOut && attempt >= WRITE_TRIES) throw error;
        this.logger.warn(
          `Recording deliveries failed (try ${attempt}${waitOut ? ', the database is unavailable: trying until it is back' : ''}), retrying: ${describeError(error)}`,
        );
        this.metrics?.recordRetried();
        await sleep(Math.min(WRITE_RETRY_MAX_MS, 200 * 2 ** attempt));
      }
    }
  }

  private event(
    request: DeliveryRequested,
    headers: Record<string, string> = {},
  ): OutgoingEvent<DeliveryRequested> {
    return { key: request.contactId, data: request, headers };
  }
}

/** The event without its release from parking (`pacedUntil`). */
function withoutPacing(request: DeliveryRequested): DeliveryRequested {
  const { pacedUntil: _released, ...rest } = request;
  return rest;
}
