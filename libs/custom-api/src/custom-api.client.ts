// Fetches the pages of a caller's "From API" endpoint (seed 004) for a run, and checks an
// endpoint for the admin API. Each page: the SSRF guard, a timeout, retries with backoff on
// transient failures, and a circuit breaker per host. The caller's headers are sent as given
// and appear in no message, log or error.
import CircuitBreaker from 'opossum';
import { Agent, request, type Dispatcher } from 'undici';
import { AddressPolicy, AddressRefusedError } from './address.guard.js';
import { CustomApiProblem, describeEndpoint, type PageProblem } from './custom-api.problem.js';
import { SHAPE_FIX, readPage, type ApiRow } from './page.validator.js';

export interface CustomApiOptions {
  /** Per attempt at a page: connect, headers and body together. */
  timeoutMs: number;
  /** Further attempts after a transient failure. */
  retries: number;
  /** First backoff between attempts; it doubles each time (with jitter), up to 8×. */
  retryBaseMs: number;
  maxPageBytes: number;
  /** How long a host's open breaker waits before letting one call through again. */
  breakerResetMs: number;
  allowPrivate: boolean;
  allowedHosts: string[];
}

export const DEFAULT_CUSTOM_API_OPTIONS: CustomApiOptions = {
  timeoutMs: 10_000,
  retries: 3,
  retryBaseMs: 500,
  maxPageBytes: 5_000_000,
  breakerResetMs: 30_000,
  allowPrivate: false,
  allowedHosts: [],
};

export interface CustomApiEndpoint {
  endpoint: string;
  headers?: Record<string, string>;
}

export interface FetchedPage {
  rows: ApiRow[];
  /** Token of the next page; null when this was the last. */
  next: string | null;
}

export interface CheckReport {
  ok: boolean;
  problems: PageProblem[];
  pagesChecked: number;
  rows: number;
}

type Attempt = () => Promise<string>;

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The URL of a page: the endpoint, with `next=<token>` added after the first page. */
export function pageUrl(endpoint: string, token: string | null): URL {
  const url = new URL(endpoint);
  if (token !== null) url.searchParams.set('next', token);
  return url;
}

/** Why an endpoint cannot be used at all (not a URL, not http(s)), or undefined. */
export function endpointProblem(endpoint: unknown): string | undefined {
  if (typeof endpoint !== 'string' || endpoint.length === 0)
    return 'endpoint must be an http(s) URL';
  if (endpoint.length > 2048) return 'endpoint is longer than 2048 characters';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `endpoint "${endpoint.slice(0, 100)}" is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `endpoint must be http or https, not ${url.protocol.replace(':', '')}`;
  if (url.username || url.password)
    return 'endpoint must not carry a user name or password; send credentials as headers';
  return undefined;
}

export class CustomApiClient {
  private readonly options: CustomApiOptions;
  private readonly policy: AddressPolicy;
  private readonly agent: Agent;
  private readonly breakers = new Map<string, CircuitBreaker<[Attempt], string>>();
  private closing?: Promise<void>;

  constructor(options: Partial<CustomApiOptions> = {}) {
    this.options = { ...DEFAULT_CUSTOM_API_OPTIONS, ...options };
    this.policy = new AddressPolicy(this.options);
    this.agent = new Agent({
      connect: { lookup: this.policy.lookup, timeout: this.options.timeoutMs },
      headersTimeout: this.options.timeoutMs,
      bodyTimeout: this.options.timeoutMs,
    });
  }

  /**
   * Page `page` (1-based) of a run: the endpoint at `token` (null for the first page). Throws a
   * CustomApiProblem naming the page for anything short of a valid page: wrong shape, too many
   * rows, an answer other than 2xx, a refused address, or transient failures past the retries.
   */
  async fetchPage(
    target: CustomApiEndpoint,
    token: string | null,
    page: number,
  ): Promise<FetchedPage> {
    const body = await this.fetchBody(target, token, page, this.options.retries);
    const read = readPage(body);
    if (read.problems.length > 0) {
      throw new CustomApiProblem(
        page,
        read.problems.map((p) => p.problem).join('; '),
        read.problems[0].fix,
        false,
      );
    }
    return { rows: read.rows, next: read.next };
  }

  /** Fetches up to `maxPages` pages once each and reports every problem with a fix (POST /admin/custom-api/check). */
  async check(target: CustomApiEndpoint, maxPages = 3): Promise<CheckReport> {
    const problems: PageProblem[] = [];
    let rows = 0;
    let pagesChecked = 0;
    let token: string | null = null;
    for (let page = 1; page <= maxPages; page++) {
      pagesChecked = page;
      let body: string;
      try {
        body = await this.fetchBody(target, token, page, 0);
      } catch (error) {
        problems.push(this.toProblem(error, page, target.endpoint).toPageProblem());
        break;
      }
      const read = readPage(body);
      rows += read.rows.length;
      problems.push(...read.problems.map((p) => ({ page, ...p })));
      if (read.rows.length === 0 || read.next === null) break;
      if (read.next === token) {
        problems.push({
          page,
          problem:
            'returned the same "next" token as the page before it, so paging would never end',
          fix: 'Put the token of the following page in "next", and leave it empty on the last page.',
        });
        break;
      }
      token = read.next;
    }
    return { ok: problems.length === 0, problems, pagesChecked, rows };
  }

  /** Nest calls this on the provider at shutdown. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const breaker of this.breakers.values()) breaker.shutdown();
      this.breakers.clear();
      await this.agent.close();
    })();
    return this.closing;
  }

  private async fetchBody(
    target: CustomApiEndpoint,
    token: string | null,
    page: number,
    retries: number,
  ): Promise<string> {
    const invalid = endpointProblem(target.endpoint);
    if (invalid)
      throw new CustomApiProblem(
        page,
        invalid,
        'Give the full http(s) URL of your API, e.g. https://api.example.com/broadcast.',
        false,
      );
    const url = pageUrl(target.endpoint, token);
    const breaker = this.breakerFor(url.host);
    for (let attempt = 0; ; attempt++) {
      try {
        return await breaker.fire(() => this.attempt(url, target.headers ?? {}, page));
      } catch (error) {
        const problem = this.toProblem(error, page, target.endpoint);
        if (!problem.transient || attempt >= retries) throw problem;
        const base = this.options.retryBaseMs * 2 ** Math.min(attempt, 3);
        await sleep(base * (0.8 + Math.random() * 0.4));
      }
    }
  }

  private async attempt(url: URL, headers: Record<string, string>, page: number): Promise<string> {
    this.policy.checkLiteral(url);
    const hasAccept = Object.keys(headers).some((h) => h.toLowerCase() === 'accept');
    const response: Dispatcher.ResponseData = await request(url, {
      method: 'GET',
      headers: hasAccept ? headers : { accept: 'application/json', ...headers },
      dispatcher: this.agent,
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    const { statusCode, body } = response;
    if (statusCode < 200 || statusCode >= 300) {
      await body.dump().catch(() => undefined);
      throw statusProblem(statusCode, page);
    }
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.options.maxPageBytes) {
        body.destroy();
        throw new CustomApiProblem(
          page,
          `is larger than ${this.options.maxPageBytes} bytes`,
          `Return fewer or shorter rows a page.`,
          false,
        );
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private breakerFor(host: string): CircuitBreaker<[Attempt], string> {
    let breaker = this.breakers.get(host);
    if (!breaker) {
      breaker = new CircuitBreaker((attempt: Attempt) => attempt(), {
        timeout: false,
        errorThresholdPercentage: 50,
        volumeThreshold: 5,
        resetTimeout: this.options.breakerResetMs,
        rollingCountTimeout: 10_000,
        rollingCountBuckets: 10,
        // Only failures of the host count; a page it answered wrongly says nothing about its health.
        errorFilter: (error: unknown) =>
          (error instanceof CustomApiProblem && !error.transient) ||
          findCause(error, (e) => e instanceof AddressRefusedError) !== undefined,
      });
      this.breakers.set(host, breaker);
    }
    return breaker;
  }

  /** Any failure as a problem of that page; messages name the host and path, never headers or query. */
  private toProblem(error: unknown, page: number, endpoint: string): CustomApiProblem {
    if (error instanceof CustomApiProblem) return error;
    const where = safeDescribe(endpoint);
    const refused = findCause(error, (e) => e instanceof AddressRefusedError) as
      AddressRefusedError | undefined;
    if (refused) {
      return new CustomApiProblem(
        page,
        `${where} was not called: ${refused.host} is a ${refused.kind} address (${refused.address}), and Herald does not call internal networks`,
        'Use a public endpoint. An operator can allow a host with CUSTOM_API_ALLOWED_HOSTS.',
        false,
      );
    }
    const code = errorCode(error);
    if (code === 'EOPENBREAKER') {
      return new CustomApiProblem(
        page,
        `${where} was not called: its host failed repeatedly and its circuit breaker is open`,
        `Make sure the API answers; Herald lets a call through again after ${Math.round(this.options.breakerResetMs / 1000)} s.`,
        true,
      );
    }
    if ((error as { name?: string }).name === 'TimeoutError' || (code && TIMEOUT_CODES.has(code))) {
      return new CustomApiProblem(
        page,
        `${where} did not answer within ${this.options.timeoutMs} ms`,
        'Make each page answer faster (fewer rows, an index on your side).',
        true,
      );
    }
    if (code === 'ENOTFOUND') {
      return new CustomApiProblem(
        page,
        `${where}: the host name does not exist`,
        'Check the host name of the endpoint.',
        false,
      );
    }
    if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') {
      return new CustomApiProblem(
        page,
        `${where} could not be requested: a header name or value is not valid for HTTP`,
        'Check the headers given with the endpoint.',
        false,
      );
    }
    return new CustomApiProblem(
      page,
      `${where} could not be fetched (${code ?? (error as { name?: string }).name ?? 'error'})`,
      'Make sure the API is reachable from Herald.',
      true,
    );
  }
}

function statusProblem(status: number, page: number): CustomApiProblem {
  if (status >= 300 && status < 400) {
    return new CustomApiProblem(
      page,
      `answered ${status} (a redirect), and Herald does not follow redirects`,
      'Give the final URL as the endpoint.',
      false,
    );
  }
  if (status === 401 || status === 403) {
    return new CustomApiProblem(
      page,
      `answered ${status}: not authorised`,
      'Check the headers (e.g. Authorization) given with the endpoint.',
      false,
    );
  }
  if (status === 404) {
    return new CustomApiProblem(
      page,
      'answered 404 Not Found',
      'Check the endpoint URL, and that it accepts the "next" query parameter.',
      false,
    );
  }
  const transient = status === 408 || status === 425 || status === 429 || status >= 500;
  return new CustomApiProblem(
    page,
    `answered HTTP ${status}`,
    transient ? 'Make sure the API is up and not rate limiting Herald.' : SHAPE_FIX,
    transient,
  );
}

function errorCode(error: unknown): string | undefined {
  const found = findCause(error, (e) => typeof (e as { code?: unknown }).code === 'string');
  return (found as { code?: string } | undefined)?.code;
}

function findCause(error: unknown, test: (e: unknown) => boolean): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (test(current)) return current;
    if (current instanceof AggregateError) {
      const inner = current.errors.find(test);
      if (inner) return inner;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function safeDescribe(endpoint: string): string {
  try {
    return describeEndpoint(new URL(endpoint));
  } catch {
    return 'the endpoint';
  }
}
