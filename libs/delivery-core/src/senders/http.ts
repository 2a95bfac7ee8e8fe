import { Agent, request } from 'undici';
import type { SendFailure, SendFailureKind } from '../channel-sender.js';

// One keep-alive agent per process: the fan-out hot path reuses connections to each provider.
const agent = new Agent({ connections: 256, keepAliveTimeout: 30_000, pipelining: 1 });

export interface HttpAnswer {
  status: number;
  body: unknown;
}

export async function postHttp(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<HttpAnswer> {
  const response = await request(url, {
    method: 'POST',
    headers,
    body,
    dispatcher: agent,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await response.body.text();
  let parsed: unknown = text;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : null;
  } catch {
    // Non-JSON answers (proxies, outages) are classified by status below.
  }
  return { status: response.statusCode, body: parsed };
}

/** A network failure or timeout: the provider may be down, retry later. */
export function networkFailure(error: unknown): SendFailure {
  const code = (error as { code?: string }).code ?? 'NETWORK';
  return {
    ok: false,
    failure: 'account',
    code,
    reason: `provider unreachable: ${(error as Error).message ?? code}`,
  };
}

/**
 * A provider's error as a failure kind: by its code when it has one (a tripping code is the
 * account's trouble, a retriable one this recipient's), else by status (5xx and 429: the account's).
 */
export function failureOf(
  status: number,
  code: number | undefined,
  retriable: ReadonlySet<number>,
  tripping: ReadonlySet<number>,
): SendFailureKind {
  if (status >= 500) return 'account';
  if (code === undefined) return status === 429 ? 'account' : 'permanent';
  if (tripping.has(code)) return 'account';
  return retriable.has(code) ? 'transient' : 'permanent';
}
