import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { KeyPartitioner, murmur2, partitionOfKey } from './key-partitioner.js';

const metadata = (count: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : partitionId,
    replicas: [],
    isr: [],
    offlineReplicas: [],
    partitionErrorCode: 0,
  }));

/** kafkajs' own default partitioner: the partitions every Herald record has gone to so far. */
const reference = (key: string | Buffer, partitions: number): number =>
  Partitioners.DefaultPartitioner()({
    topic: 't',
    partitionMetadata: metadata(partitions),
    message: { key, value: null },
  });

describe('KeyPartitioner', () => {
  it("puts every key on kafkajs' (the Java client's) partition", () => {
    const keys = fc.oneof(
      fc.uuid(),
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.string({ maxLength: 40 }),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    );
    fc.assert(
      fc.property(keys, fc.integer({ min: 1, max: 512 }), (key, partitions) => {
        expect(partitionOfKey(key, partitions)).toBe(reference(key, partitions));
      }),
      { numRuns: 5_000 },
    );
  });

  it('hashes known keys as the Java client does', () => {
    // Kafka's UtilsTest (murmur2 of these strings' bytes).
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    expect(murmur2(Buffer.from([97, 98, 99]))).toBe(murmur2('abc'));
  });

  it("keeps a record's own partition, and spreads keyless records over partitions with a leader", () => {
    const partitioner = KeyPartitioner();
    const args = (message: { key?: string | null; partition?: number }) => ({
      topic: 't',
      partitionMetadata: metadata(4, [1, 3]),
      message: { value: null, ...message },
    });
    expect(partitioner(args({ key: 'k', partition: 3 }))).toBe(3);
    const keyless = new Set(Array.from({ length: 20 }, () => partitioner(args({ key: null }))));
    expect(keyless).toEqual(new Set([0, 2]));
  });
});
