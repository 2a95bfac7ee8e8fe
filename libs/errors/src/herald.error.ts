// Domain errors carry a code and whether retrying can help. The gateway maps codes to HTTP
// statuses in one filter; consumers map `retriable` to retry / DLQ in one place.
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
  ProviderRejected = 'PROVIDER_REJECTED',
  ProviderUnavailable = 'PROVIDER_UNAVAILABLE',
  DependencyUnavailable = 'DEPENDENCY_UNAVAILABLE',
  Internal = 'INTERNAL',
}

export interface HeraldErrorOptions {
  retriable?: boolean;
  /** The input field the error is about, when there is one. */
  field?: string;
  /** What the caller can do about it. */
  fix?: string;
  cause?: unknown;
}

export class HeraldError extends Error {
  readonly retriable: boolean;
  readonly field?: string;
  readonly fix?: string;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: HeraldErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HeraldError';
    this.retriable = options.retriable ?? false;
    this.field = options.field;
    this.fix = options.fix;
  }

  static invalid(field: string, message: string, fix?: string): HeraldError {
    return new HeraldError(ErrorCode.InvalidInput, message, { field, fix });
  }

  static transient(code: ErrorCode, message: string, cause?: unknown): HeraldError {
    return new HeraldError(code, message, { retriable: true, cause });
  }
}

/** Unknown errors (driver, network, bugs) are treated as retriable: redelivery is safe. */
export function isRetriable(error: unknown): boolean {
  return error instanceof HeraldError ? error.retriable : true;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
