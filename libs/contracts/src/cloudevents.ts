// CloudEvents 1.0 Kafka protocol binding, binary content mode: attributes travel as `ce_*`
// headers, the event data is the message value (JSON), `content-type` names its encoding.
import { randomUUID } from 'node:crypto';

export const CE_HEADERS = {
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  specversion: 'ce_specversion',
  time: 'ce_time',
  contentType: 'content-type',
  traceparent: 'traceparent',
} as const;

export interface CloudEventAttributes {
  id: string;
  type: string;
  source: string;
  specversion: '1.0';
  time: string;
  traceparent?: string;
}

export type KafkaHeaderValue = Buffer | string | (Buffer | string)[] | undefined;

export function newAttributes(
  type: string,
  source: string,
  overrides: Partial<CloudEventAttributes> = {},
): CloudEventAttributes {
  return {
    id: randomUUID(),
    type,
    source,
    specversion: '1.0',
    time: new Date().toISOString(),
    ...overrides,
  };
}

export function toKafkaHeaders(attrs: CloudEventAttributes): Record<string, string> {
  const headers: Record<string, string> = {
    [CE_HEADERS.id]: attrs.id,
    [CE_HEADERS.type]: attrs.type,
    [CE_HEADERS.source]: attrs.source,
    [CE_HEADERS.specversion]: attrs.specversion,
    [CE_HEADERS.time]: attrs.time,
    [CE_HEADERS.contentType]: 'application/json',
  };
  if (attrs.traceparent) headers[CE_HEADERS.traceparent] = attrs.traceparent;
  return headers;
}

export function headerString(value: KafkaHeaderValue): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** Reads the binary-mode attributes; returns the problem when a required one is missing. */
export function fromKafkaHeaders(
  headers: Record<string, KafkaHeaderValue> | undefined,
): { ok: true; attributes: CloudEventAttributes } | { ok: false; problem: string } {
  const get = (name: string) => headerString(headers?.[name]);
  const missing = (['id', 'type', 'source', 'specversion'] as const).filter(
    (k) => !get(CE_HEADERS[k]),
  );
  if (missing.length > 0) {
    return {
      ok: false,
      problem: `missing CloudEvents header(s): ${missing.map((k) => CE_HEADERS[k]).join(', ')}`,
    };
  }
  if (get(CE_HEADERS.specversion) !== '1.0') {
    return {
      ok: false,
      problem: `unsupported ce_specversion ${get(CE_HEADERS.specversion)}; expected 1.0`,
    };
  }
  const contentType = get(CE_HEADERS.contentType);
  if (contentType && !contentType.startsWith('application/json')) {
    return {
      ok: false,
      problem: `unsupported content-type ${contentType}; expected application/json`,
    };
  }
  return {
    ok: true,
    attributes: {
      id: get(CE_HEADERS.id)!,
      type: get(CE_HEADERS.type)!,
      source: get(CE_HEADERS.source)!,
      specversion: '1.0',
      time: get(CE_HEADERS.time) ?? new Date().toISOString(),
      traceparent: get(CE_HEADERS.traceparent),
    },
  };
}
