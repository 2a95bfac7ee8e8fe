// The one place that says what happens to a record whose processing failed. Every consumer,
// the delivery core and the recorder ask `classifyFailure` what kind of failure an error is and
// `decide` what to do about it; nothing else reads error shapes to choose between retrying,
// pausing, dead-lettering or failing a delivery.
//
// One vocabulary, four kinds of failure:
// - `outage`: a dependency is down (Kafka, PostgreSQL, a provider behind an open breaker, the
//   service shutting down). Work pauses and waits; no attempt is spent and nothing healthy is
//   dead-lettered.
// - `account`: a provider account is in trouble (timeouts, 5xx, throughput limits): it may work
//   later, counts against the account's breaker, and spends an attempt.
// - `transient`: this record may work later (a deadlock, a timeout, a bug that may pass): it
//   spends an attempt, and a bounded number of attempts ends in the DLQ.
// - `permanent`: retrying cannot help (a value the database refuses, a record too large for
//   Kafka, a template that cannot render, a schema failure, a recipient the provider refuses):
//   straight to the DLQ, or a failed delivery with the reason.
import { ErrorCode, HeraldError } from './herald.error.js';

export const FAILURE_KINDS = ['outage', 'account', 'transient', 'permanent'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** SQLSTATE classes: 22 data exception, 23 integrity constraint violation, 42 syntax/access. */
const PERMANENT_SQL_CLASSES = new Set(['22', '23', '42', '2B', '44']);
/** 08 connection exception, 53 insufficient resources, 57 operator intervention (shutdown), 58 system error. */
const OUTAGE_SQL_CLASSES = new Set(['08', '53', '57', '58']);
/** kafkajs protocol errors that no retry fixes: the record itself is refused. */
const PERMANENT_KAFKA_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
  'INVALID_REQUIRED_ACKS',
]);
/** Node socket errors: the other end is not there. */
const OUTAGE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** kafkajs error classes that mean the cluster (not the record) is the problem. */
const OUTAGE_KAFKA_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSLockTimeout',
  'KafkaJSNonRetriableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSNotImplemented',
]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  type?: unknown;
  errno?: unknown;
  cause?: unknown;
  originalError?: unknown;
  driverError?: unknown;
  retriable?: unknown;
}

/** The kind of failure an error stands for. Unknown errors are transient: bounded, then the DLQ. */
export function classifyFailure(error: unknown, depth = 0): FailureKind {
  if (error instanceof HeraldError) return error.failure;
  if (!error || typeof error !== 'object' || depth > 4) return 'transient';
  const shape = error as ErrorShape;
  // TypeORM's QueryFailedError keeps the driver's error; kafkajs wraps the last one it retried.
  const inner = shape.driverError ?? shape.originalError;
  if (inner && inner !== error) {
    const kind = classifyFailure(inner, depth + 1);
    if (kind !== 'transient') return kind;
  }
  if (typeof shape.type === 'string' && PERMANENT_KAFKA_TYPES.has(shape.type)) return 'permanent';
  const code = typeof shape.code === 'string' ? shape.code : undefined;
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    // 57014 "canceling statement due to statement timeout": Herald bounds every statement
    // (DATABASE_STATEMENT_TIMEOUT_MS) and each is a batch or a page, so one that ran that long
    // found the database stalled (locks held, overload): pause, spend nothing. Cancelled by
    // someone (pg_cancel_backend, "due to user request"): this query only.
    if (code === '57014')
      return error instanceof Error && /statement timeout/i.test(error.message)
        ? 'outage'
        : 'transient';
    const sqlClass = code.slice(0, 2);
    if (PERMANENT_SQL_CLASSES.has(sqlClass)) return 'permanent';
    if (OUTAGE_SQL_CLASSES.has(sqlClass)) return 'outage';
    return 'transient'; // 40001 serialization, 40P01 deadlock, 55P03 lock not available...
  }
  if (code && OUTAGE_NETWORK_CODES.has(code)) return 'outage';
  const name = typeof shape.name === 'string' ? shape.name : '';
  if (OUTAGE_KAFKA_NAMES.has(name)) return 'outage';
  // pg's "Connection terminated unexpectedly" / pool timeouts carry no code.
  const message = error instanceof Error ? error.message : '';
  if (
    /connection terminated|timeout exceeded when trying to connect|Connection terminated/i.test(
      message,
    )
  )
    return 'outage';
  if (shape.cause && shape.cause !== error) return classifyFailure(shape.cause, depth + 1);
  return 'transient';
}

/** Where the failure happened, which decides what the options are. */
export type FailureSite =
  /** A consumer processing a record in place: it may retry the record where it stands. */
  | 'consumer'
  /** A delivery attempt: retries go to the delayed retry topics; the end is a failed delivery. */
  | 'delivery';

export interface FailureContext {
  site: FailureSite;
  /** Attempts already made, this one included (1 after the first failure). */
  attempts: number;
  /** Attempts allowed in all before the record ends. */
  maxAttempts: number;
}

export type Decision =
  /** A dependency is down: pause and try the same record again later, spending nothing. */
  | { action: 'pause' }
  /** Try the same record again in place, after a growing delay. */
  | { action: 'retry-now' }
  /** Hand the record to the next delayed retry topic. */
  | { action: 'retry-later' }
  /** The record ends in its topic's DLQ with the reason. */
  | { action: 'dead-letter' }
  /** The delivery ends as failed with the reason (and, after retries, a DLQ copy). */
  | { action: 'fail'; deadLetter: boolean };

/** What to do with a record that failed with a failure of `kind`. Pure: the table below is all of it. */
export function decide(kind: FailureKind, context: FailureContext): Decision {
  if (kind === 'outage') return { action: 'pause' };
  const attemptsLeft = context.attempts < context.maxAttempts;
  if (context.site === 'consumer') {
    if (kind === 'permanent' || !attemptsLeft) return { action: 'dead-letter' };
    return { action: 'retry-now' };
  }
  if (kind === 'permanent') return { action: 'fail', deadLetter: false };
  return attemptsLeft ? { action: 'retry-later' } : { action: 'fail', deadLetter: true };
}

/** A short label for metrics and DLQ headers: the failure kind, or `invalid` for schema failures. */
export function failureClassOf(error: unknown): FailureKind | 'invalid' {
  if (error instanceof HeraldError && error.code === ErrorCode.InvalidEvent) return 'invalid';
  return classifyFailure(error);
}
