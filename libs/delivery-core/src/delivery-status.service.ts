import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  Topics,
  deliveryStatusTopicFor,
  resultBatches,
  retryTopicOf,
  type Channel,
  type DeliveryResult,
  type DeliveryStatusReport,
  type DeliveryStatusTopic,
  type RetryTopic,
} from '@herald/contracts';
import { EventPublisher, type OutgoingEvent } from '@herald/kafka';
import { DeliveryRepository, type StatusUpdate } from '@herald/persistence';
import { DELIVERY_CHANNEL, type DeliveryChannelDefinition } from './delivery-channel.js';
import { DeliveryMetrics } from './delivery.metrics.js';
import { DeliveryConfig } from './delivery.config.js';
import { resultsOfRow } from './row-results.js';
import { parseDuration } from './retry-schedule.js';

/** The status retry topic's label, e.g. `delivery.status.sms.v1.retry.5s`. */
export function statusRetryTopic<C extends Channel>(
  channel: C,
  config: DeliveryConfig,
): { topic: RetryTopic<DeliveryStatusTopic<C>>; delayMs: number } {
  const label = config.DELIVERY_STATUS_RETRY_DELAY.trim();
  return {
    topic: retryTopicOf(deliveryStatusTopicFor(channel), label),
    delayMs: parseDuration(label),
  };
}

/**
 * Applies verified provider statuses (delivered, read, failed) to the channel's delivery rows,
 * never moving one backwards, and announces what they now stand for as delivery results, which
 * the run folds into its counts once each. A status that matches no row yet (the send is still
 * being recorded) is looked at again a few times on the status retry topic, then dropped:
 * statuses of messages Herald did not send (the bot's own replies) never match.
 */
@Injectable()
export class DeliveryStatusService {
  private readonly logger = new Logger(DeliveryStatusService.name);
  private readonly retry: { topic: RetryTopic<DeliveryStatusTopic>; delayMs: number };

  constructor(
    private readonly config: DeliveryConfig,
    private readonly deliveries: DeliveryRepository,
    private readonly publisher: EventPublisher,
    @Inject(DELIVERY_CHANNEL) private readonly channel: DeliveryChannelDefinition,
    private readonly metrics: DeliveryMetrics,
  ) {
    this.retry = statusRetryTopic(channel.channel, config);
  }

  async apply(statuses: DeliveryStatusReport[]): Promise<void> {
    const mine = statuses.filter((s) => s.channel === this.channel.channel);
    if (mine.length === 0) return;
    const matches = await this.deliveries.applyStatuses(this.channel.channel, mine.map(toUpdate));

    const at = new Date().toISOString();
    const results: DeliveryResult[] = [];
    const byMessage = new Set<string>();
    const byPerson = new Set<string>();
    for (const match of matches) {
      if (match.providerMessageId) byMessage.add(match.providerMessageId);
      results.push(
        ...resultsOfRow(
          {
            ...match,
            reason: match.reason
              ? `the provider reported the message failed: ${match.reason}`
              : 'the provider reported the message failed',
          },
          {
            runId: match.runId,
            botId: match.botId,
            contactId: match.contactId,
            channel: match.channel,
            at,
          },
          'provider',
        ),
      );
    }
    for (const match of matches)
      if (match.watermark) byPerson.add(`${match.watermark.pageId}/${match.watermark.psid}`);
    const unmatched = mine.filter((s) =>
      s.providerMessageId
        ? !byMessage.has(s.providerMessageId)
        : !byPerson.has(`${s.account}/${s.recipient}`),
    );
    const again = unmatched.filter(
      (s) => (s.attempt ?? 0) < this.config.DELIVERY_STATUS_RETRY_ATTEMPTS,
    );
    await Promise.all([
      this.publisher.publish(
        Topics.DeliveryResultBatch,
        resultBatches(results).map((data) => ({ key: data.runId, data })),
      ),
      again.length > 0
        ? this.publisher.publishRetry(
            this.retry.topic,
            again.map((s) => retryEvent(s)),
          )
        : Promise.resolve(),
    ]);
    // Only statuses that moved a delivery make results: each counts once.
    this.metrics.published(results);
    const dropped = unmatched.length - again.length;
    if (dropped > 0)
      this.logger.debug(
        `${dropped} provider status(es) matched no delivery and were dropped (not sent by Herald?)`,
      );
  }
}

/** A status that matched no row yet, to be looked at again (one more attempt). */
function retryEvent(status: DeliveryStatusReport): OutgoingEvent<DeliveryStatusReport> {
  return { key: status.recipient, data: { ...status, attempt: (status.attempt ?? 0) + 1 } };
}

function toUpdate(status: DeliveryStatusReport): StatusUpdate {
  return {
    status: status.status,
    // Only the named account's deliveries: the webhook was verified with that account's secret,
    // and only of the bots that secret speaks for.
    account: status.account,
    ...(status.botIds ? { botIds: status.botIds } : {}),
    ...(status.providerMessageId ? { providerMessageId: status.providerMessageId } : {}),
    ...(!status.providerMessageId && status.watermark
      ? {
          watermark: {
            pageId: status.account,
            psid: status.recipient,
            at: new Date(status.watermark),
          },
        }
      : {}),
    code: status.code ?? null,
    reason: status.reason ?? null,
  };
}
