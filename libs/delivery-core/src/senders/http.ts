import { Agent, type Dispatcher } from 'undici';
import type { AddressPolicy } from '@herald/custom-api';
import type { SendFailure, SendFailureKind } from '../channel-sender.js';

// One keep-alive agent per process: the fan-out hot path reuses connections to each provider.
// No HTTP/1.1 pipelining: undici resends the pipelined requests behind a dropped connection's
// first, so a send the provider had accepted would go out twice unseen. Over HTTPS undici offers
// HTTP/2, which multiplexes without that replay (docs/benchmark.md, Baselines).
const AGENT_OPTIONS = { connections: 256, keepAliveTimeout: 30_000, pipelining: 1 };
let agent = new Agent(AGENT_OPTIONS);
let guard: AddressPolicy | undefined;
/** Per origin (scheme://host:port), why its literal IP is refused, or '' when it is not. */
const literalVerdicts = new Map<string, string>();
const MAX_VERDICTS = 10_000;

/**
 * From now on every provider call goes through `policy` (called once at boot): a channel's base
 * URL receives its credentials, so an internal address is refused when a name resolves to it
 * (the socket's own lookup, so a name that re-resolves later is caught too) and when the URL
 * names it as an IP literal (no lookup happens for those; checked once per origin).
 */
export function guardProviderAddresses(policy: AddressPolicy): void {
  guard = policy;
  literalVerdicts.clear();
  const previous = agent;
  agent = new Agent({ ...AGENT_OPTIONS, connect: { lookup: policy.lookup } });
  void previous.close().catch(() => undefined);
}

/** Thrown before any connection to a refused address; `code` EADDRREFUSED like the lookup's refusal. */
export class ProviderAddressRefused extends Error {
  readonly code = 'EADDRREFUSED';
}

function checkLiteral(url: string): void {
  const end = url.indexOf('/', url.indexOf('//') + 2);
  const origin = end === -1 ? url : url.slice(0, end);
  let verdict = literalVerdicts.get(origin);
  if (verdict === undefined) {
    try {
      guard!.checkLiteral(new URL(origin));
      verdict = '';
    } catch (error) {
      verdict = (error as Error).message;
    }
    if (literalVerdicts.size >= MAX_VERDICTS) literalVerdicts.clear();
    literalVerdicts.set(origin, verdict);
  }
  if (verdict) throw new ProviderAddressRefused(verdict);
}

export interface HttpAnswer {
  status: number;
  body: unknown;
}

/** An answer as read off the socket: its final status and its body as text. */
interface RawAnswer {
  status: number;
  text: string;
}

/** A provider's answer larger than this is not read: no provider answers a send with more. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** Thrown when a provider's answer passes MAX_ANSWER_BYTES (the connection is dropped). */
export class ProviderAnswerTooLarge extends Error {
  readonly code = 'ANSWER_TOO_LARGE';
}

/**
 * `name=value` for a form body (application/x-www-form-urlencoded), percent-encoded as RFC 3986
 * says (a form parser reads `%20` as it reads `+`): a few times cheaper than URLSearchParams on
 * the send path. A lone surrogate (which JSON input may carry) becomes U+FFFD, as URLSearchParams
 * makes it, rather than the URIError encodeURIComponent throws.
 */
export function formField(name: string, value: string): string {
  return `${formEncode(name)}=${formEncode(value)}`;
}

function formEncode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // URIError: a lone surrogate (paired ones make one code point, which \p{Surrogate} skips).
    return encodeURIComponent(text.replace(/\p{Surrogate}/gu, '\uFFFD'));
  }
}

/** Where a request goes, its URL already split (a sender sending many to one URL splits it once). */
export interface HttpTarget {
  /** scheme://host:port */
  origin: string;
  /** The path and query. */
  path: string;
}

/** `url` split into its origin and its path with query. */
export function httpTarget(url: string): HttpTarget {
  const { origin, pathname, search } = new URL(url);
  return { origin, path: pathname + search };
}

export function postHttp(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<HttpAnswer> {
  // A refused literal address is told before the URL is parsed (as a URL that does not parse).
  if (guard) checkLiteral(url);
  return postTo(httpTarget(url), headers, body, timeoutMs);
}

/** POSTs `body` to `target` through the process's provider agent, bounded by `timeoutMs`. */
export async function postTo(
  { origin, path }: HttpTarget,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<HttpAnswer> {
  if (guard) checkLiteral(origin);
  const { status, text } = await new Promise<RawAnswer>((resolve, reject) => {
    agent.dispatch(
      {
        origin,
        path,
        method: 'POST',
        headers,
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      },
      new AnswerReader(resolve, reject),
    );
  });
  let parsed: unknown = text;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : null;
  } catch {
    // Non-JSON answers (proxies, outages) are classified by status below.
  }
  return { status, body: parsed };
}

/**
 * Reads a whole answer straight from the dispatcher, bounded by MAX_ANSWER_BYTES: a send's
 * answer is small and needs none of the readable stream undici's request() puts around each
 * body (a few microseconds a send; docs/benchmark.md).
 */
class AnswerReader implements Dispatcher.DispatchHandler {
  private status = 0;
  private readonly chunks: Buffer[] = [];
  private bytes = 0;

  constructor(
    private readonly resolve: (answer: RawAnswer) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  onRequestStart(): void {
    // Nothing to set up: the answer is read as it comes.
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    // 1xx answers (100 Continue) come before the real one and have no body.
    if (statusCode >= 200) this.status = statusCode;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > MAX_ANSWER_BYTES) {
      controller.abort(
        new ProviderAnswerTooLarge(`the provider's answer is over ${MAX_ANSWER_BYTES} bytes`),
      );
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    const text =
      this.chunks.length === 1
        ? this.chunks[0].toString('utf8')
        : Buffer.concat(this.chunks).toString('utf8');
    this.resolve({ status: this.status, text });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.reject(error);
  }
}

/** A network failure or timeout: the provider may be down, retry later. */
export function networkFailure(error: unknown): SendFailure {
  const code = (error as { code?: string }).code ?? 'NETWORK';
  if (code === 'EADDRREFUSED') {
    // Not the provider's trouble but the channel's base URL: every send would fail the same way.
    return {
      ok: false,
      failure: 'permanent',
      code: 'ADDRESS_REFUSED',
      reason: `the channel's baseUrl is refused: ${(error as Error).message}; fix the channel's baseUrl (or list an egress proxy in PROVIDER_ALLOWED_HOSTS)`,
    };
  }
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
