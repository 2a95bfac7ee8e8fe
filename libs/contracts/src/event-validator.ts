// Validates a Kafka message (headers + JSON value) against its topic's contract. Consumers
// call this before any handler sees an event; a failure is a non-retriable DLQ case.
import { Ajv, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';
import { CATALOG, contractOf, type EventMap } from './catalog.js';
import {
  fromKafkaHeaders,
  type CloudEventAttributes,
  type KafkaHeaderValue,
} from './cloudevents.js';
import { INPUT_LIMITS, illFormedString, jsonSizeProblem, mayBeIllFormed } from './input-limits.js';
import type { TopicName } from './topics.js';

// ajv-formats is CommonJS; imported from an ES module its function is the namespace's default.
const addFormats = (ajvFormats as unknown as { default: FormatsPlugin }).default;

export type ParsedEvent<T extends TopicName> =
  | { ok: true; attributes: CloudEventAttributes; data: EventMap[T] }
  | { ok: false; problem: string };

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validators = new Map<string, ValidateFunction>(
  Object.values(CATALOG).map((c) => [c.topic, ajv.compile(c.schema)]),
);

function describe(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
    .join('; ');
}

export function validateEventData<T extends TopicName>(
  topic: T,
  data: unknown,
): { ok: true; data: EventMap[T] } | { ok: false; problem: string } {
  const validate = validators.get(topic);
  if (!validate) return { ok: false, problem: `no contract for topic ${topic}` };
  if (!validate(data))
    return { ok: false, problem: `data does not match ${topic}: ${describe(validate)}` };
  return { ok: true, data: data as EventMap[T] };
}

export function parseEvent<T extends TopicName>(
  topic: T,
  headers: Record<string, KafkaHeaderValue> | undefined,
  value: Buffer | null,
): ParsedEvent<T> {
  const attrs = fromKafkaHeaders(headers);
  if (!attrs.ok) return attrs;
  const expectedType = contractOf(topic)?.type;
  if (expectedType && attrs.attributes.type !== expectedType) {
    return {
      ok: false,
      problem: `ce_type ${attrs.attributes.type} does not belong on ${topic}; expected ${expectedType}`,
    };
  }
  if (!value || value.length === 0) return { ok: false, problem: 'empty message value' };
  let data: unknown;
  const text = value.toString('utf8');
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `value is not JSON: ${(error as Error).message}` };
  }
  // What no stage can store or send (see input-limits.ts), whoever produced the event.
  const illFormed = mayBeIllFormed(text) ? illFormedString(data, 'data') : undefined;
  if (illFormed) return { ok: false, problem: illFormed.message };
  const payload = (data as { payload?: unknown } | null)?.payload;
  const tooLarge =
    payload !== undefined
      ? jsonSizeProblem(payload, INPUT_LIMITS.payloadBytes, 'data.payload')
      : undefined;
  if (tooLarge) return { ok: false, problem: tooLarge.message };
  const checked = validateEventData(topic, data);
  return checked.ok ? { ok: true, attributes: attrs.attributes, data: checked.data } : checked;
}
