// Releases people held by their send window when it opens: polls held_deliveries (row locks,
// SKIP LOCKED, so instances share the work), publishes their DeliveryRequested, marks them
// released. Durable: a restart of any service loses nothing; nothing sleeps on a partition.
import { Injectable, Logger } from '@nestjs/common';
import { deliveryTopicFor, type DeliveryRequested, type DeliveryTopic } from '@herald/contracts';
import { EventPublisher } from '@herald/kafka';
import { HeldDeliveryRepository } from '@herald/persistence';
import { DuePoller } from '@herald/runtime';
import { ContactConfig } from './contact.config.js';

@Injectable()
export class HeldDeliveryReleaser extends DuePoller {
  constructor(held: HeldDeliveryRepository, publisher: EventPublisher, config: ContactConfig) {
    const prefix = config.HERALD_TOPIC_PREFIX;
    super(
      {
        releaseDue: (limit) =>
          held.releaseDue(prefix, limit, (events) => publishHeld(publisher, events)),
        nextDueAt: () => held.nextDueAt(prefix),
      },
      new Logger(HeldDeliveryReleaser.name),
      'held people',
      'their send window opened',
    );
  }
}

/** Each held person's event onto their channel's one-person delivery topic. */
async function publishHeld(publisher: EventPublisher, events: DeliveryRequested[]): Promise<void> {
  const perTopic = new Map<DeliveryTopic, DeliveryRequested[]>();
  for (const event of events) {
    const topic = deliveryTopicFor(event.channel);
    const list = perTopic.get(topic);
    if (list) list.push(event);
    else perTopic.set(topic, [event]);
  }
  await Promise.all(
    [...perTopic.entries()].map(([topic, list]) =>
      publisher.publish(
        topic,
        list.map((data) => ({ key: data.contactId, data })),
      ),
    ),
  );
}
