// Meta Graph API errors (WhatsApp Cloud API and Messenger Send API) are classified by their
// code, never by HTTP status alone (see notes/providers.md): Meta answers throughput limits
// with 400 or 429 depending on whom you ask, and a per-recipient limit (131056) also as 429.
import type { SendFailure } from '../channel-sender.js';
import { failureOf } from './http.js';

interface GraphError {
  error?: {
    message?: string;
    code?: number;
    error_subcode?: number;
    error_data?: { details?: string };
  };
}

export interface GraphCodes {
  /** Codes worth another attempt later for this recipient. */
  retriable: ReadonlySet<number>;
  /** Codes that say the account or platform is in trouble (throughput, outage): they count against the breaker. */
  tripping: ReadonlySet<number>;
  /**
   * Codes of the account refusing for its own reasons (an invalid token, a suspension): failure
   * `account` (listed in `tripping` too, for failover), but they open no breaker (SendFailure.refused).
   */
  refusals: ReadonlySet<number>;
  /** What an operator can do, by code. */
  advice: Record<number, string>;
}

export function graphFailure(status: number, body: unknown, codes: GraphCodes): SendFailure {
  const error = (body as GraphError | null)?.error;
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const failure = failureOf(status, code, codes.retriable, codes.tripping);
  const detail = error?.error_data?.details ?? error?.message ?? `HTTP ${status}`;
  const hint = code !== undefined ? codes.advice[code] : undefined;
  return {
    ok: false,
    failure,
    code:
      code !== undefined
        ? `${code}${error?.error_subcode ? `/${error.error_subcode}` : ''}`
        : `HTTP_${status}`,
    reason: hint ? `${detail} — ${hint}` : detail,
    ...(code !== undefined && codes.refusals.has(code) ? { refused: true as const } : {}),
  };
}
