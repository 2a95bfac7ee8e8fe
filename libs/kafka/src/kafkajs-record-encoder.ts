// kafkajs 2.2.4 encodes each record of a produce request with a new Encoder for the record and
// one for each header: every Encoder starts as a zero-filled 512-byte buffer, grows by copying,
// and writes each varint through a new Buffer. Herald's events carry eight CloudEvents headers,
// so one record cost about ten such buffers: 11 % of the gateway's CPU per hook call, where each
// call is one small record (the services that publish records of many people pay it per record,
// a small part of each person's cost).
//
// This writes a record into one buffer of its exact size, byte for byte what kafkajs writes (a
// property test holds it to kafkajs's own encoder). A record it does not expect (a key, value
// or header that is neither a string nor a Buffer, a timestamp delta past 2^30 ms) goes to
// kafkajs's encoder as before.
import { createRequire } from 'node:module';

/** One record as kafkajs's produce request hands it to its record encoder. */
export interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: unknown;
  value?: unknown;
  headers?: Record<string, unknown>;
}

/** What kafkajs's record batch reads of an encoded record (its Encoder's `buf` and `buffer`). */
export interface EncodedRecord {
  buf: Buffer;
  readonly buffer: Buffer;
}

export type RecordEncoder = (record: RecordInput) => EncodedRecord;

const require = createRequire(import.meta.url);
const RECORD_MODULE = 'kafkajs/src/protocol/recordBatch/record/v0/index.js';
/** The one kafkajs module that takes the record encoder (on its first produce, not at load). */
const PRODUCE_MODULE = 'kafkajs/src/protocol/requests/produce/v3/request.js';

/** kafkajs's own record encoder. */
export function kafkajsRecordEncoder(): RecordEncoder {
  return require(RECORD_MODULE) as RecordEncoder;
}

/** Zigzag of a 32-bit signed int, as kafkajs's writeVarInt, as an unsigned number. */
const zigzag = (n: number): number => ((n << 1) ^ (n >> 31)) >>> 0;

function varIntSize(n: number): number {
  let u = zigzag(n);
  let bytes = 1;
  while (u > 0x7f) {
    bytes++;
    u >>>= 7;
  }
  return bytes;
}

function writeVarInt(buf: Buffer, at: number, n: number): number {
  let u = zigzag(n);
  while (u > 0x7f) {
    buf[at++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[at++] = u;
  return at;
}

/** A varlong below 2^30 in size is written as the varint of the same number. */
const SMALL = 2 ** 30;

/**
 * A key, value or header value's byte length; -1 for null; undefined when kafkajs's encoder must
 * decide.
 */
function byteLengthOf(field: unknown, nullable: boolean): number | undefined {
  if (typeof field === 'string') return Buffer.byteLength(field, 'utf8');
  if (Buffer.isBuffer(field)) return field.length;
  return nullable && field == null ? -1 : undefined;
}

function writeBytes(buf: Buffer, at: number, field: unknown, length: number): number {
  at = writeVarInt(buf, at, length);
  if (length <= 0) return at;
  if (typeof field === 'string') buf.write(field, at, length, 'utf8');
  else (field as Buffer).copy(buf, at);
  return at + length;
}

/** A record encoder that writes what `fallback` (kafkajs's) writes, in one buffer. */
export function exactSizeRecordEncoder(fallback: RecordEncoder): RecordEncoder {
  return (record) => {
    const { offsetDelta = 0, timestampDelta = 0, key, value, headers = {} } = record;
    if (
      !Number.isInteger(offsetDelta) ||
      Math.abs(offsetDelta) >= SMALL ||
      !Number.isInteger(timestampDelta) ||
      Math.abs(timestampDelta) >= SMALL
    )
      return fallback(record);
    const keyLength = byteLengthOf(key, true);
    const valueLength = byteLengthOf(value, true);
    if (keyLength === undefined || valueLength === undefined) return fallback(record);
    // kafkajs's order: each header name, a repeated one once per value.
    const names: string[] = [];
    const values: unknown[] = [];
    const lengths: number[] = [];
    let headersSize = 0;
    for (const name of Object.keys(headers)) {
      const given = headers[name];
      for (const one of Array.isArray(given) ? (given as unknown[]) : [given]) {
        const length = byteLengthOf(one, false);
        if (length === undefined) return fallback(record);
        const nameLength = Buffer.byteLength(name, 'utf8');
        names.push(name);
        values.push(one);
        lengths.push(nameLength, length);
        headersSize += varIntSize(nameLength) + nameLength + varIntSize(length) + length;
      }
    }
    headersSize += varIntSize(names.length);
    const bodySize =
      1 +
      varIntSize(timestampDelta) +
      varIntSize(offsetDelta) +
      varIntSize(keyLength) +
      Math.max(keyLength, 0) +
      varIntSize(valueLength) +
      Math.max(valueLength, 0) +
      headersSize;
    const buf = Buffer.allocUnsafe(varIntSize(bodySize) + bodySize);
    let at = writeVarInt(buf, 0, bodySize);
    buf[at++] = 0; // attributes
    at = writeVarInt(buf, at, timestampDelta);
    at = writeVarInt(buf, at, offsetDelta);
    at = writeBytes(buf, at, key, keyLength);
    at = writeBytes(buf, at, value, valueLength);
    at = writeVarInt(buf, at, names.length);
    for (let i = 0; i < names.length; i++) {
      at = writeBytes(buf, at, names[i], lengths[2 * i]);
      at = writeBytes(buf, at, values[i], lengths[2 * i + 1]);
    }
    return { buf, buffer: buf };
  };
}

/** The part of kafkajs's Encoder that `growWithoutZeroing` replaces. */
interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
  ensureAvailable(length: number): void;
}

const ENCODER_MODULE = 'kafkajs/src/protocol/encoder.js';

/** kafkajs's Encoder class. */
export function kafkajsEncoderClass(): {
  prototype: KafkajsEncoder;
  nextPowerOfTwo(n: number): number;
} {
  return require(ENCODER_MODULE) as {
    prototype: KafkajsEncoder;
    nextPowerOfTwo(n: number): number;
  };
}

/**
 * kafkajs's Encoder grows its buffer to the next power of two with a zero-filled copy, and a
 * produce request is written through several of them (records into the batch, the batch into
 * the partition, into the topic, into the request): the zeroing was about 5 % of the gateway's
 * CPU. Nothing reads an Encoder's buffer past what it wrote (`buffer` is `buf.slice(0, offset)`),
 * so the new buffer need not be zeroed.
 */
function growWithoutZeroing(): void {
  const Encoder = kafkajsEncoderClass();
  Encoder.prototype.ensureAvailable = function ensureAvailable(this: KafkajsEncoder, length) {
    if (this.offset + length <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  };
}

let installed = false;

/**
 * Puts the exact-size encoder in kafkajs's place, and lets its Encoders grow without zeroing.
 * Once per process, before its first produce (the KafkaConnection does it as it is built); later,
 * kafkajs keeps its own, and this says so.
 */
export function installRecordEncoder(): boolean {
  if (installed) return true;
  if (require.cache[require.resolve(PRODUCE_MODULE)]) return false;
  const path = require.resolve(RECORD_MODULE);
  const original = kafkajsRecordEncoder();
  const loaded = require.cache[path];
  if (!loaded) return false;
  loaded.exports = exactSizeRecordEncoder(original);
  growWithoutZeroing();
  installed = true;
  return true;
}
