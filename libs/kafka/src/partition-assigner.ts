// Assigns each outgoing message its partition before the produce, with Kafka's default
// (murmur2, the Java client's) partitioner (KeyPartitioner), so the publisher knows which partitions Kafka must
// acknowledge. kafkajs 2.2.4's send retry tracks answers per broker, not per partition: when a
// partition leader dies mid-send, its partitions move to a broker that already answered and are
// silently skipped while the send resolves. Knowing the partitions lets the publisher catch that.
import type { Message, PartitionMetadata } from 'kafkajs';
import { KeyPartitioner } from './key-partitioner.js';

const COUNT_TTL_MS = 60_000;

export class PartitionAssigner {
  private readonly partitioner = KeyPartitioner();
  private readonly counts = new Map<string, { count: Promise<number>; at: number }>();

  constructor(private readonly partitionCount: (topic: string) => Promise<number>) {}

  async assign(topic: string, messages: Message[]): Promise<void> {
    const partitionMetadata = metadataOf(await this.countOf(topic));
    for (const message of messages) {
      message.partition ??= this.partitioner({ topic, partitionMetadata, message });
    }
  }

  /** The partition a record keyed by each of `keys` goes to (as `assign` would place it). */
  async partitionsOf(topic: string, keys: readonly string[]): Promise<number[]> {
    const partitionMetadata = metadataOf(await this.countOf(topic));
    return keys.map((key) =>
      this.partitioner({ topic, partitionMetadata, message: { key, value: null } }),
    );
  }

  private countOf(topic: string): Promise<number> {
    const hit = this.counts.get(topic);
    if (hit && Date.now() - hit.at < COUNT_TTL_MS) return hit.count;
    const count = this.partitionCount(topic);
    this.counts.set(topic, { count, at: Date.now() });
    count.catch(() => this.counts.delete(topic));
    return count;
  }
}

function metadataOf(count: number): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: partitionId,
    replicas: [],
    isr: [],
    offlineReplicas: [],
    partitionErrorCode: 0,
  }));
}
