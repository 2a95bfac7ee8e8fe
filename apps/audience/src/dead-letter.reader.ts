// Reads one record of a `.dlq` topic as the ledger stores it (what, from where, why) and decides
// what it means for its run. Pure: no I/O, so every odd record (not JSON, no run, binary, huge,
// headers missing) is unit-tested.
import {
  MAX_BATCH_RECIPIENTS,
  MAX_REQUEST_EVENT_BYTES,
  Topics,
  validateEventData,
} from '@herald/contracts';
import { DLQ_HEADERS, isSecretName, type ConsumedEvent, type RawValue } from '@herald/kafka';
import { DEAD_LETTER_CLASSES, type NewDeadLetter, type RunOutcome } from '@herald/persistence';
import { ledgerCounts, ledgerResults, subjectOf, type CountedResult } from './result-subjects.js';

/**
 * The most of a value the ledger keeps: the largest record any Herald topic accepts
 * (broadcast.requested, 4 MiB), so every dead letter can be replayed whole. A larger value (only
 * from a topic configured beyond Herald's) is cut, flagged, and cannot be replayed.
 */
export const MAX_STORED_VALUE_BYTES = MAX_REQUEST_EVENT_BYTES;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DLQ_SUFFIX = '.dlq';
const DELIVERY_REQUESTED = /^delivery\.requested\.[a-z]+\.v1$/;
const DELIVERY_REQUESTED_BATCH = /^delivery\.requested\.[a-z]+\.v2$/;
const MAX_REASON = 2000;

/**
 * What a dead letter does to its run. Each names the bot its record named: only a run of that
 * bot is touched, so a forged record cannot change another tenant's run.
 */
export type RunEffect =
  | { kind: 'none' }
  /** broadcast.requested: the run fails (created failed when it does not exist yet). */
  | { kind: 'fail-run'; runId: string; botId: string; broadcastId: string | null; source: string }
  /**
   * target.resolved: each of its `targets` people counts as failed in the run. `page` (the page's
   * number, unique in its run) keys their outcomes, so the same page dead-lettered twice (a
   * consumer that crashed after parking it) counts once; without it, the dead letter's id does.
   */
  | { kind: 'fail-targets'; runId: string; botId: string; targets: number; page: number | null }
  /** delivery.requested.*.v1: that person counts as failed in the run. */
  | { kind: 'fail-contact'; runId: string; botId: string; contactId: string }
  /** delivery.requested.*.v2: every person the record names counts as failed in the run. */
  | { kind: 'fail-contacts'; runId: string; botId: string; contactIds: string[] }
  /**
   * delivery.result (v1, v2) that the audience could not fold: each person counts as their
   * result says, by the subject the run-progress handler uses (so counted once either way);
   * results their producer counted already (`counted`) count nothing here either.
   */
  | { kind: 'count-results'; runId: string; botId: string; outcomes: RunOutcome[] };

export interface ReadDeadLetter {
  letter: NewDeadLetter;
  effect: RunEffect;
}

/** The contract topic of a DLQ topic (`X.dlq` → `X`); null for a topic that is no DLQ. */
export function contractTopicOfDlq(dlqTopic: string): string | null {
  return dlqTopic.endsWith(DLQ_SUFFIX) && dlqTopic.length > DLQ_SUFFIX.length
    ? dlqTopic.slice(0, -DLQ_SUFFIX.length)
    : null;
}

/** The dead-letter class label of a metric: one of the three, or `unknown` (bounded label values). */
export function classLabel(value: string | null): string {
  return value && (DEAD_LETTER_CLASSES as readonly string[]).includes(value) ? value : 'unknown';
}

/** Headers fit to keep: no herald_dlq_* (they become columns), no secrets, no NUL (jsonb refuses it). */
export function keptHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    // Credentials are never stored, so never shown nor replayed.
    if (name.startsWith('herald_dlq_') || isSecretName(name)) continue;
    kept[clean(name)] = clean(value);
  }
  return kept;
}

export function readDeadLetter(
  event: ConsumedEvent<RawValue>,
  topicPrefix: string,
): ReadDeadLetter {
  const topic = contractTopicOfDlq(event.topic) ?? event.topic;
  const headers = event.headers;
  const stored = storedValue(event.data);
  const data =
    stored.valueEncoding === 'utf8' && !stored.valueTruncated ? parseJson(stored.value) : undefined;
  const runId = uuidField(data, 'runId');
  const botId = uuidField(data, 'botId');
  const reason = headers[DLQ_HEADERS.reason];
  const letter: NewDeadLetter = {
    topicPrefix,
    topic,
    dlqPartition: event.partition,
    dlqOffset: event.offset,
    sourceTopic: text(headers[DLQ_HEADERS.topic]),
    sourcePartition: whole(headers[DLQ_HEADERS.partition], 2 ** 31 - 1),
    sourceOffset:
      headers[DLQ_HEADERS.offset] && /^\d{1,18}$/.test(headers[DLQ_HEADERS.offset])
        ? headers[DLQ_HEADERS.offset]
        : null,
    key: event.key === null ? null : clean(event.key),
    headers: keptHeaders(headers),
    ...stored,
    reason: reason
      ? clean(reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}…` : reason)
      : null,
    class: text(headers[DLQ_HEADERS.class]),
    code: text(headers[DLQ_HEADERS.code]),
    attempts: whole(headers[DLQ_HEADERS.attempts], 2 ** 31 - 1),
    runId,
    botId,
    deadAt: date(headers[DLQ_HEADERS.at]),
  };
  return { letter, effect: effectOf(topic, data, runId, botId, headers['ce_id']) };
}

function effectOf(
  topic: string,
  data: unknown,
  runId: string | null,
  botId: string | null,
  eventId: string | undefined,
): RunEffect {
  if (!runId || !botId) return { kind: 'none' };
  if (topic === Topics.DeliveryResult || topic === Topics.DeliveryResultBatch) {
    return resultsEffect(topic, data, runId, botId, eventId);
  }
  if (topic === Topics.BroadcastRequested) {
    const source = field(data, 'source');
    return {
      kind: 'fail-run',
      runId,
      botId,
      broadcastId: uuidField(data, 'broadcastId'),
      source:
        typeof source === 'string' && source.length > 0 && source.length <= 64
          ? clean(source)
          : 'event',
    };
  }
  if (topic === Topics.TargetResolved) {
    const targets = field(data, 'targets');
    // The contract allows 5,000 targets a page; more cannot have been counted as targeted.
    const count = Array.isArray(targets) ? Math.min(targets.length, 5_000) : 0;
    const page = field(data, 'page');
    return count > 0
      ? {
          kind: 'fail-targets',
          runId,
          botId,
          targets: count,
          page: typeof page === 'number' && Number.isSafeInteger(page) && page >= 0 ? page : null,
        }
      : { kind: 'none' };
  }
  if (DELIVERY_REQUESTED.test(topic)) {
    const contactId = uuidField(data, 'contactId');
    return contactId ? { kind: 'fail-contact', runId, botId, contactId } : { kind: 'none' };
  }
  if (DELIVERY_REQUESTED_BATCH.test(topic)) {
    const recipients = field(data, 'recipients');
    // The contract allows MAX_BATCH_RECIPIENTS people a record; each is counted once.
    const contactIds = Array.isArray(recipients)
      ? [
          ...new Set(
            recipients
              .slice(0, MAX_BATCH_RECIPIENTS)
              .flatMap((r) => uuidField(r, 'contactId') ?? []),
          ),
        ]
      : [];
    return contactIds.length > 0
      ? { kind: 'fail-contacts', runId, botId, contactIds }
      : { kind: 'none' };
  }
  return { kind: 'none' };
}

/**
 * A dead result counts only when it is valid: its statuses are then the producer's word about
 * each person. One that breaks its schema (forged, or not Herald's) counts nothing.
 */
function resultsEffect(
  topic: typeof Topics.DeliveryResult | typeof Topics.DeliveryResultBatch,
  data: unknown,
  runId: string,
  botId: string,
  eventId: string | undefined,
): RunEffect {
  if (!eventId) return { kind: 'none' };
  let counted: CountedResult[] = [];
  if (topic === Topics.DeliveryResult) {
    const valid = validateEventData(topic, data);
    if (valid.ok && ledgerCounts(valid.data)) counted = [{ result: valid.data, eventId }];
  } else {
    const valid = validateEventData(topic, data);
    if (valid.ok) counted = ledgerResults(valid.data, eventId);
  }
  // Only what its producer did not count already (`counted`, as the run-progress fold; above),
  // and only the run the dead letter names (a batch names one run; a v1 result is its own).
  counted = counted.filter((c) => c.result.runId === runId && c.result.botId === botId);
  const outcomes = counted.map((c) => ({
    runId,
    subject: subjectOf(c),
    status: c.result.status,
  }));
  return outcomes.length > 0 ? { kind: 'count-results', runId, botId, outcomes } : { kind: 'none' };
}

/** The reason a run failed by its dead-lettered request shows: what happened and what to do. */
export function failedRunReason(deadLetterId: string, reason: string | null): string {
  return (
    `Herald could not accept this broadcast request: ${reason ?? 'no reason was recorded'}. ` +
    `The request is kept as dead letter ${deadLetterId} (GET /admin/dead-letters/${deadLetterId}); ` +
    'correct the request and send it again as a new request.'
  );
}

type StoredValue = Pick<NewDeadLetter, 'value' | 'valueEncoding' | 'valueBytes' | 'valueTruncated'>;

function storedValue(value: RawValue): StoredValue {
  if (value === null)
    return { value: null, valueEncoding: 'utf8', valueBytes: 0, valueTruncated: false };
  const truncated = value.length > MAX_STORED_VALUE_BYTES;
  const kept = truncated ? value.subarray(0, MAX_STORED_VALUE_BYTES) : value;
  const textValue = truncated ? undefined : utf8(kept);
  // PostgreSQL text holds neither NUL nor invalid UTF-8: such values keep their exact bytes as base64.
  if (textValue === undefined || textValue.includes('\u0000')) {
    return {
      value: kept.toString('base64'),
      valueEncoding: 'base64',
      valueBytes: value.length,
      valueTruncated: truncated,
    };
  }
  return {
    value: textValue,
    valueEncoding: 'utf8',
    valueBytes: value.length,
    valueTruncated: false,
  };
}

function utf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function parseJson(value: string | null): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

function field(data: unknown, name: string): unknown {
  return data && typeof data === 'object' && !Array.isArray(data)
    ? (data as Record<string, unknown>)[name]
    : undefined;
}

function uuidField(data: unknown, name: string): string | null {
  const value = field(data, name);
  return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : null;
}

function text(value: string | undefined): string | null {
  return value ? clean(value.slice(0, 500)) : null;
}

function whole(value: string | undefined, max: number): number | null {
  if (!value || !/^\d{1,10}$/.test(value)) return null;
  const n = Number(value);
  return n <= max ? n : null;
}

function date(value: string | undefined): Date | null {
  if (!value) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** NUL and lone surrogates out: PostgreSQL text and jsonb refuse them, and a reason is for reading. */
function clean(value: string): string {
  return value
    .replaceAll('\u0000', '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
