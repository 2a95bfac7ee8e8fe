// Releases the people this channel parked behind their account's pacing (PaceQueues) when their
// turn comes: polls paced_deliveries (row locks, SKIP LOCKED, so replicas share the work) and
// publishes each one's DeliveryRequested, marked `pacedUntil`, to the channel's one-person
// delivery topic, where its row (pending) is claimed and sent at the account's pace. Durable: a
// restart of any replica loses nobody, and nothing sleeps on a partition.
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { deliveryTopicFor } from '@herald/contracts';
import { EventPublisher } from '@herald/kafka';
import { PacedDeliveryRepository } from '@herald/persistence';
import { DuePoller } from '@herald/runtime';
import { DELIVERY_CHANNEL, type DeliveryChannelDefinition } from './delivery-channel.js';
import { DeliveryConfig } from './delivery.config.js';

@Injectable()
export class PacedDeliveryReleaser implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly poller: DuePoller;

  constructor(
    paced: PacedDeliveryRepository,
    publisher: EventPublisher,
    config: DeliveryConfig,
    @Inject(DELIVERY_CHANNEL) { channel }: DeliveryChannelDefinition,
  ) {
    const prefix = config.HERALD_TOPIC_PREFIX;
    const topic = deliveryTopicFor(channel);
    this.poller = new DuePoller(
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
  }

  onApplicationBootstrap(): void {
    this.poller.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.poller.stop();
  }
}
