// Releases people held by their send window when it opens: polls held_deliveries (row locks,
// SKIP LOCKED, so instances share the work), publishes their DeliveryRequested, marks them
// released. Durable: a restart of any service loses nothing; nothing sleeps on a partition.
import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { deliveryTopicFor, type DeliveryRequested, type DeliveryTopic } from '@herald/contracts';
import { EventPublisher } from '@herald/kafka';
import { HeldDeliveryRepository } from '@herald/persistence';
import { DuePoller } from '@herald/runtime';
import { ContactConfig } from './contact.config.js';

@Injectable()
export class HeldDeliveryReleaser implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly poller: DuePoller;

  constructor(
    held: HeldDeliveryRepository,
    private readonly publisher: EventPublisher,
    config: ContactConfig,
  ) {
    const prefix = config.HERALD_TOPIC_PREFIX;
    this.poller = new DuePoller(
      {
        releaseDue: (limit) => held.releaseDue(prefix, limit, (events) => this.publish(events)),
        nextDueAt: () => held.nextDueAt(prefix),
      },
      new Logger(HeldDeliveryReleaser.name),
      'held people',
      'their send window opened',
    );
  }

  onApplicationBootstrap(): void {
    this.poller.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.poller.stop();
  }

  private async publish(events: DeliveryRequested[]): Promise<void> {
    const perTopic = new Map<DeliveryTopic, DeliveryRequested[]>();
    for (const event of events) {
      const topic = deliveryTopicFor(event.channel);
      perTopic.set(topic, [...(perTopic.get(topic) ?? []), event]);
    }
    await Promise.all(
      [...perTopic.entries()].map(([topic, list]) =>
        this.publisher.publish(
          topic,
          list.map((data) => ({ key: data.contactId, data })),
        ),
      ),
    );
  }
}
