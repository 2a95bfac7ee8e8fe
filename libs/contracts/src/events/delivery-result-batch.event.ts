// The batched delivery result (`delivery.result.v2`): the outcomes of many people of one run in
// one record, keyed by runId like the one-result events, so a run's results stay in order.
import { Type, type Static } from '@sinclair/typebox';
import { Uuid } from './common.schema.js';
import { DeliveryResultSchema, type DeliveryResult } from './delivery-result.event.js';
import { BATCH_RECORD_BYTES, MAX_BATCH_RECIPIENTS } from './delivery-batch.event.js';

const { runId: _runId, botId: _botId, ...itemFields } = DeliveryResultSchema.properties;

export const DeliveryResultItemSchema = Type.Object({
  id: Type.Optional(
    Type.String({
      format: 'uuid',
      description:
        'What the run counts a result without a contact by (a skipped target): derived from the target, so a result published again counts once. Results about a contact are counted by the contact.',
    }),
  ),
  ...itemFields,
});
export type DeliveryResultItem = Static<typeof DeliveryResultItemSchema>;

export const DeliveryResultBatchSchema = Type.Object(
  {
    runId: Uuid,
    botId: Uuid,
    results: Type.Array(DeliveryResultItemSchema, { minItems: 1, maxItems: MAX_BATCH_RECIPIENTS }),
  },
  {
    $id: 'https://herald.dev/schemas/delivery.result.v2.json',
    title: 'DeliveryResultBatch',
    description:
      'What happened to many people of one run: sent, delivered, read, failed or skipped. Keyed by runId.',
  },
);
export type DeliveryResultBatch = Static<typeof DeliveryResultBatchSchema>;

/** One result as the one-result event (`delivery.result.v1`) carries it. */
export function resultsOf(batch: DeliveryResultBatch): Array<DeliveryResult & { id?: string }> {
  return batch.results.map((r) => ({ runId: batch.runId, botId: batch.botId, ...r }));
}

/** The JSON bytes of a batch around its results: `{"runId":…,"botId":…,"results":[]}`. */
const ENVELOPE_BYTES = 128;

/**
 * Results as batched records: grouped by run (in the order each run first appears, each run's
 * results in their order), a record cut at MAX_BATCH_RECIPIENTS results or before its JSON
 * passes `maxBytes` (BATCH_RECORD_BYTES). A result larger than that alone still gets its own
 * record (the contract bounds every field, so one result is a few KiB at most).
 */
export function resultBatches(
  results: ReadonlyArray<DeliveryResult & { id?: string }>,
  maxBytes = BATCH_RECORD_BYTES,
): DeliveryResultBatch[] {
  const batches: DeliveryResultBatch[] = [];
  const open = new Map<string, { batch: DeliveryResultBatch; bytes: number }>();
  for (const { runId, botId, ...item } of results) {
    const run = `${runId}/${botId}`;
    const bytes = Buffer.byteLength(JSON.stringify(item)) + 1;
    let current = open.get(run);
    if (
      !current ||
      current.batch.results.length >= MAX_BATCH_RECIPIENTS ||
      current.bytes + bytes > maxBytes
    ) {
      current = { batch: { runId, botId, results: [] }, bytes: ENVELOPE_BYTES };
      open.set(run, current);
      batches.push(current.batch);
    }
    current.batch.results.push(item);
    current.bytes += bytes;
  }
  return batches;
}
