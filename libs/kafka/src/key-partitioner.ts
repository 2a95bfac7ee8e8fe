// Kafka's default key partitioner (the Java client's, and kafkajs' DefaultPartitioner): murmur2
// of the key's bytes, made positive, modulo the partition count; round robin without a key. The
// same partitions as kafkajs', computed in 32-bit arithmetic: kafkajs emulates 64-bit integers
// for murmur2, which cost the contact service a seventh of its CPU (it groups every recipient by
// the partition their contact id hashes to). Keys made of ASCII characters (ids) are hashed
// without encoding them to a buffer first.
import { randomInt } from 'node:crypto';
import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** murmur2 of `key` (a string is hashed as its UTF-8 bytes), as a signed 32-bit integer. */
export function murmur2(key: string | Uint8Array): number {
  return typeof key === 'string' && !isAscii(key) ? hash(Buffer.from(key)) : hash(key);
}

function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) if (value.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** The byte at `i`: a string here is ASCII, so its character codes are its bytes. */
function byteAt(data: string | Uint8Array, i: number): number {
  return typeof data === 'string' ? data.charCodeAt(i) : data[i];
}

function hash(data: string | Uint8Array): number {
  const { length } = data;
  let h = (SEED ^ length) | 0;
  const whole = length - (length % 4);
  for (let i = 0; i < whole; i += 4) {
    let k =
      byteAt(data, i) |
      (byteAt(data, i + 1) << 8) |
      (byteAt(data, i + 2) << 16) |
      (byteAt(data, i + 3) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length - whole;
  if (rest === 3) h ^= byteAt(data, whole + 2) << 16;
  if (rest >= 2) h ^= byteAt(data, whole + 1) << 8;
  if (rest >= 1) h = Math.imul(h ^ byteAt(data, whole), M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition of a record keyed `key` among `partitions` (Kafka's default partitioner). */
export function partitionOfKey(key: string | Uint8Array, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

/**
 * kafkajs' DefaultPartitioner with this murmur2: a record's own partition if it names one, the
 * key's partition if it has a key, else round robin over the partitions that have a leader.
 */
export const KeyPartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key !== null && message.key !== undefined)
      return partitionOfKey(message.key, partitionMetadata.length);
    const next = (counters.get(topic) ?? randomInt(2 ** 31)) + 1;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    return available.length > 0
      ? available[(next & 0x7fffffff) % available.length].partitionId
      : (next & 0x7fffffff) % partitionMetadata.length;
  };
};
