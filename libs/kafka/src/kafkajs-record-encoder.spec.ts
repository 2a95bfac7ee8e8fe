import fc from 'fast-check';
import { createRequire } from 'node:module';
import {
  exactSizeRecordEncoder,
  installRecordEncoder,
  kafkajsEncoderClass,
  kafkajsRecordEncoder,
  type RecordInput,
} from './kafkajs-record-encoder.js';

const require = createRequire(import.meta.url);

/** What an encoder writes for `record`, or the error it throws. */
function outcome(encode: (record: RecordInput) => { buffer: Buffer }, record: RecordInput) {
  try {
    return { bytes: encode(record).buffer.toString('hex') };
  } catch (error) {
    return { threw: (error as Error).constructor.name };
  }
}

describe('the exact-size record encoder', () => {
  const kafkajs = kafkajsRecordEncoder();
  const exact = exactSizeRecordEncoder(kafkajs);

  const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ maxLength: 400 }));
  const bytes = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));
  const field = fc.oneof(text, bytes, fc.constant(null), fc.constant(undefined), fc.integer());
  const headerValue = fc.oneof(text, bytes, fc.array(fc.oneof(text, bytes), { maxLength: 3 }));
  const record: fc.Arbitrary<RecordInput> = fc.record(
    {
      offsetDelta: fc.oneof(fc.nat(10_000), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
      timestampDelta: fc.oneof(
        fc.integer({ min: -5_000, max: 5_000 }),
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
      ),
      key: field,
      value: fc.oneof(field, fc.string({ minLength: 200, maxLength: 5_000 })),
      headers: fc.dictionary(text, fc.oneof(headerValue, headerValue, fc.constant(null)), {
        maxKeys: 10,
      }),
    },
    { requiredKeys: [] },
  );

  it("writes every record byte for byte as kafkajs's encoder does (or fails as it does)", () => {
    fc.assert(
      fc.property(record, (r) => {
        expect(outcome(exact, r)).toEqual(outcome(kafkajs, r));
      }),
      { numRuns: 5_000 },
    );
  });

  it('writes a CloudEvents-shaped record in one buffer of its exact size', () => {
    const record: RecordInput = {
      offsetDelta: 3,
      timestampDelta: 0,
      key: 'run-1',
      value: JSON.stringify({ runId: 'run-1', text: 'Hallo 👋' }),
      headers: {
        ce_id: 'a',
        ce_type: 'herald.broadcast.requested.v1',
        'content-type': 'application/json',
      },
    };
    const encoded = exact(record);
    expect(encoded.buffer).toBe(encoded.buf);
    expect(encoded.buf.length).toBe(kafkajs(record).buffer.length);
    expect(encoded.buffer.toString('hex')).toBe(kafkajs(record).buffer.toString('hex'));
  });

  it("takes kafkajs's place for its produce requests; its Encoders grow to the same bytes", () => {
    type Writes = {
      writeInt32(n: number): Writes;
      writeVarIntString(s: string): Writes;
      writeBuffer(b: Buffer): Writes;
      buffer: Buffer;
    };
    const Encoder = kafkajsEncoderClass() as unknown as (new () => Writes) & { prototype: object };
    const growing = fc.array(
      fc.oneof(
        fc.integer().map((n) => (e: Writes) => e.writeInt32(n)),
        fc.string({ maxLength: 700 }).map((t) => (e: Writes) => e.writeVarIntString(t)),
        fc.nat(3_000).map((n) => (e: Writes) => e.writeBuffer(Buffer.alloc(n, n % 251))),
      ),
      { maxLength: 30 },
    );
    const runs = fc.sample(growing, { numRuns: 300, seed: 42 });
    const written = () =>
      runs.map((writes) =>
        writes.reduce((e, write) => write(e), new Encoder()).buffer.toString('hex'),
      );
    const before = written();
    const ensureAvailable = (Encoder.prototype as { ensureAvailable: unknown }).ensureAvailable;

    expect(installRecordEncoder()).toBe(true);
    expect((Encoder.prototype as { ensureAvailable: unknown }).ensureAvailable).not.toBe(
      ensureAvailable,
    );
    expect(written()).toEqual(before);
    const inPlace = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as unknown;
    expect(inPlace).not.toBe(kafkajs);
    const produce = require('kafkajs/src/protocol/requests/produce/v3/request.js') as unknown;
    expect(typeof produce).toBe('function');
  });
});
