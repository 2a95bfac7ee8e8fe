import { ErrorCode, HeraldError } from '@herald/errors';

/** A 429 that tells the caller when to come back (the filter sends it as `Retry-After`). */
export class RetryLaterError extends HeraldError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(ErrorCode.RateLimited, message, {
      retriable: true,
      fix: `Retry after ${retryAfterSeconds} s.`,
    });
    this.name = 'RetryLaterError';
  }
}
