// Domain errors carry a code and the kind of failure they are (see outcome.ts). The gateway maps
// codes to HTTP statuses in one filter; consumers map the kind to retry / DLQ / pause in one place.
import { classifyFailure, type FailureKind } from './outcome.js';

export enum ErrorCode {
  InvalidInput = 'INVALID_INPUT',
  NotFound = 'NOT_FOUND',
  Unauthorized = 'UNAUTHORIZED',
  Forbidden = 'FORBIDDEN',
  Conflict = 'CONFLICT',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  RateLimited = 'RATE_LIMITED',
  InvalidEvent = 'INVALID_EVENT',
  /** Kafka refuses the record for good (too large, invalid). */
  RecordRefused = 'RECORD_REFUSED',
  ProviderRejected = 'PROVIDER_REJECTED',
  ProviderUnavailable = 'PROVIDER_UNAVAILABLE',
  DependencyUnavailable = 'DEPENDENCY_UNAVAILABLE',
  Internal = 'INTERNAL',
}

export interface HeraldErrorOptions {
  /** What kind of failure this is (see outcome.ts); default `permanent`. */
  failure?: FailureKind;
  /** Shorthand for `failure: 'transient'` (true) or `'permanent'` (false). */
  retriable?: boolean;
  /** The input field the error is about, when there is one. */
  field?: string;
  /** What the caller can do about it. */
  fix?: string;
  cause?: unknown;
}

export class HeraldError extends Error {
  readonly failure: FailureKind;
  readonly field?: string;
  readonly fix?: string;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: HeraldErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HeraldError';
    this.failure = options.failure ?? (options.retriable ? 'transient' : 'permanent');
    this.field = options.field;
    this.fix = options.fix;
  }

  /** Whether trying again can help (anything but a permanent failure). */
  get retriable(): boolean {
    return this.failure !== 'permanent';
  }

  static invalid(field: string, message: string, fix?: string): HeraldError {
    return new HeraldError(ErrorCode.InvalidInput, message, { field, fix });
  }

  static transient(code: ErrorCode, message: string, cause?: unknown): HeraldError {
    return new HeraldError(code, message, { failure: 'transient', cause });
  }

  /** A dependency is down (or the service is stopping): wait, spend no attempt. */
  static outage(code: ErrorCode, message: string, cause?: unknown): HeraldError {
    return new HeraldError(code, message, { failure: 'outage', cause });
  }
}

/** Whether trying again can help; unknown errors (driver, network, bugs) can: redelivery is safe. */
export function isRetriable(error: unknown): boolean {
  return classifyFailure(error) !== 'permanent';
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
