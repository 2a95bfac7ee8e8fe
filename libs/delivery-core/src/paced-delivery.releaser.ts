// Releases the people this channel parked behind their account's pacing (PaceQueues) when their
// turn comes: polls paced_deliveries (row locks, SKIP LOCKED, so replicas share the work) and
// publishes each one's DeliveryRequested, marked `pacedUntil`, to the channel's one-person
// delivery topic, where its row (pending) is claimed and sent at the account's pace. Durable: a
// restart of any replica loses nobody, and nothing sleeps on a partition.
//
// It also keeps parked people's turns at their account's pace: when an operator raises or lowers
// an account's rate, its parked people are given their turns again at the new spacing (follow).
import { Inject, Injectable, Logger } from '@nestjs/common';
import { deliveryTopicFor } from '@herald/contracts';
import { EventPublisher } from '@herald/kafka';
import { PacedDeliveryRepository } from '@herald/persistence';
import { DuePoller } from '@herald/runtime';
import { describeError } from '@herald/errors';
import { DELIVERY_CHANNEL, type DeliveryChannelDefinition } from './delivery-channel.js';
import { DeliveryConfig } from './delivery.config.js';
import type { PaceScope } from './pacing/pacer.js';

/** Account queues whose spacing a process remembers; past it, it forgets them all (and asks again). */
const MAX_KNOWN_QUEUES = 10_000;

@Injectable()
export class PacedDeliveryReleaser extends DuePoller {
  private readonly log = new Logger(PacedDeliveryReleaser.name);
  private readonly prefix: string;
  /** Per account queue: the spacing (ms) this process last gave, or found, its parked people at. */
  private readonly spacing = new Map<string, number>();
  private readonly respacing = new Set<Promise<void>>();

  constructor(
    private readonly paced: PacedDeliveryRepository,
    publisher: EventPublisher,
    config: DeliveryConfig,
    @Inject(DELIVERY_CHANNEL) { channel }: DeliveryChannelDefinition,
  ) {
    const prefix = config.HERALD_TOPIC_PREFIX;
    const topic = deliveryTopicFor(channel);
    super(
      {
        releaseDue: (limit) =>
          paced.releaseDue(prefix, channel, limit, (events) =>
            // Put back on the topic this service reads: its own events, read again.
            publisher.publishRetry(
              topic,
              events.map((data) => ({ key: data.contactId, data })),
            ),
          ),
        nextDueAt: () => paced.nextDueAt(prefix, channel),
      },
      new Logger(PacedDeliveryReleaser.name),
      'parked people',
      "their turn in their account's pacing came",
      500,
      1_000,
      // One release a slot of a slow account: counted by herald_delivery_parked_total, not logged.
      'debug',
    );
    this.prefix = prefix;
  }

  /**
   * A person of these scopes was parked or took their released turn: each account queue whose
   * pace is not the one this process last saw it at (its rate was changed, or this process has
   * not seen the queue yet) has its parked people given their turns again at the current pace,
   * in the background. So raising a slow account's rate speeds up the people already parked
   * too, within its account cache (DELIVERY_ACCOUNT_CACHE_MS) and one turn at the old pace.
   * Scopes about one recipient are configuration, the same for every account: left alone.
   */
  follow(scopes: readonly PaceScope[]): void {
    for (const { key, rate, shared } of scopes) {
      if (!shared) continue;
      const intervalMs = 1000 / rate.perSecond;
      if (this.spacing.get(key) === intervalMs) continue;
      if (this.spacing.size >= MAX_KNOWN_QUEUES) this.spacing.clear();
      this.spacing.set(key, intervalMs);
      const done: Promise<void> = this.paced
        .respace(this.prefix, key, intervalMs)
        .then(
          (moved) => {
            if (moved > 0)
              this.log.log(
                `${moved} parked people of ${key} given their turns again ${Math.round(intervalMs)} ms apart: the account's pace changed`,
              );
          },
          (error: unknown) => {
            // Asked again at the queue's next park or release.
            if (this.spacing.get(key) === intervalMs) this.spacing.delete(key);
            this.log.warn(`Could not respace the parked people of ${key}: ${describeError(error)}`);
          },
        )
        .finally(() => this.respacing.delete(done));
      this.respacing.add(done);
    }
  }

  override async beforeApplicationShutdown(): Promise<void> {
    await super.beforeApplicationShutdown();
    await Promise.all(this.respacing);
  }
}
