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
import { describeError } from '@herald/errors';
import { EventPublisher } from '@herald/kafka';
import { HeldDeliveryRepository } from '@herald/persistence';
import { ContactConfig } from './contact.config.js';

/** The longest wait between looks (a hold made by another instance is seen within this). */
const POLL_MS = 1_000;
const BATCH = 500;

@Injectable()
export class HeldDeliveryReleaser implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HeldDeliveryReleaser.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly held: HeldDeliveryRepository,
    private readonly publisher: EventPublisher,
    private readonly config: ContactConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.arm(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private arm(ms: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.running = this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    let next = POLL_MS;
    try {
      let released: number;
      do {
        released = await this.held.releaseDue(this.config.HERALD_TOPIC_PREFIX, BATCH, (events) =>
          this.publish(events),
        );
        if (released > 0)
          this.logger.log(`${released} held people released: their send window opened`);
      } while (released === BATCH && !this.stopping);
      const due = await this.held.nextDueAt(this.config.HERALD_TOPIC_PREFIX);
      if (due) next = Math.max(0, Math.min(POLL_MS, due.getTime() - Date.now()));
    } catch (error) {
      this.logger.warn(
        `releasing held people failed, retried in ${POLL_MS} ms: ${describeError(error)}`,
      );
    }
    this.arm(next);
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
