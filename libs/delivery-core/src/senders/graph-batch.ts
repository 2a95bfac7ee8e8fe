// Graph API batch requests (https://developers.facebook.com/docs/graph-api/batch-requests):
// sends made to one account at the same moment go as one HTTP request of up to 50 operations
// instead of one request each. Each caller still gets its own operation's answer, so breakers,
// failover and retries stay per person. A lone send goes as the plain request it always was.
import { formField, postHttp, type HttpAnswer } from './http.js';

/** Graph refuses a batch of more operations than this. */
export const GRAPH_BATCH_LIMIT = 50;

/** Where and as whom an operation is sent: operations batch together only when all three match. */
export interface GraphTarget {
  baseUrl: string;
  apiVersion: string;
  /** The account's access token (sent in the Authorization header, never in a URL or body). */
  token: string;
}

/** One Graph call: POST `/{apiVersion}/{path}` with the JSON body `fields`. */
export interface GraphOperation {
  path: string;
  fields: Record<string, unknown>;
}

/** Graph answered nothing for one operation of a batch: whether it was carried out is unknown. */
export class GraphBatchSlotMissing extends Error {
  readonly code = 'GRAPH_BATCH_NO_ANSWER';
}

interface Waiting {
  operation: GraphOperation;
  resolve: (answer: HttpAnswer) => void;
  reject: (error: unknown) => void;
}

/** A batch being gathered for one target until the current turn of the event loop ends. */
interface Gathering {
  target: GraphTarget;
  waiting: Waiting[];
}

/**
 * Gathers the operations posted for one target in the same turn of the event loop (the delivery
 * core's workers start their sends together when a batch of answers comes back) and posts them
 * as one batch request, at most `limit` to a request. `limit` 1 posts every operation alone.
 */
export class GraphBatcher {
  private readonly gathering = new Map<string, Gathering>();

  /** `sent(n)`: told of each HTTP request, with the operations it carried (1 for a plain one). */
  constructor(
    private readonly limit: number,
    private readonly timeoutMs: number,
    private readonly sent: (operations: number) => void = () => undefined,
  ) {
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= GRAPH_BATCH_LIMIT))
      throw new RangeError(
        `a Graph batch holds 1 to ${GRAPH_BATCH_LIMIT} operations, not ${limit}`,
      );
  }

  /** The operation's own answer (status and parsed body); rejects when the request itself failed. */
  post(target: GraphTarget, operation: GraphOperation): Promise<HttpAnswer> {
    if (this.limit === 1) return this.postAlone(target, operation);
    const key = `${target.baseUrl}\n${target.apiVersion}\n${target.token}`;
    return new Promise<HttpAnswer>((resolve, reject) => {
      let batch = this.gathering.get(key);
      if (batch === undefined) {
        batch = { target, waiting: [] };
        this.gathering.set(key, batch);
        const gathered = batch;
        setImmediate(() => {
          if (this.gathering.get(key) === gathered) this.gathering.delete(key);
          void this.flush(gathered);
        });
      }
      batch.waiting.push({ operation, resolve, reject });
      if (batch.waiting.length === this.limit) {
        this.gathering.delete(key);
        void this.flush(batch);
      }
    });
  }

  private async flush({ target, waiting }: Gathering): Promise<void> {
    // flush() runs once per batch; the full-batch flush leaves an empty list for the timer.
    const operations = waiting.splice(0);
    if (operations.length === 0) return;
    if (operations.length === 1) {
      const [only] = operations;
      await this.postAlone(target, only.operation).then(only.resolve, only.reject);
      return;
    }
    let answer: HttpAnswer;
    this.sent(operations.length);
    try {
      answer = await postHttp(
        `${base(target)}/`,
        { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
        JSON.stringify({
          batch: operations.map(({ operation }) => ({
            method: 'POST',
            relative_url: `${target.apiVersion}/${operation.path}`,
            body: formBody(operation.fields),
          })),
          include_headers: false,
        }),
        this.timeoutMs,
      );
    } catch (error) {
      for (const one of operations) one.reject(error);
      return;
    }
    if (answer.status !== 200) {
      // Refused as a whole (a bad token, a rate limit, an outage): each operation gets that answer.
      for (const one of operations) one.resolve(answer);
      return;
    }
    // A 200 that is not a list of results (a proxy's page, say) answers no operation.
    const slots: unknown[] = Array.isArray(answer.body) ? answer.body : [];
    for (const [index, one] of operations.entries()) {
      const slot = slots[index];
      if (isSlot(slot)) one.resolve({ status: slot.code, body: parsedBody(slot.body) });
      else
        one.reject(
          new GraphBatchSlotMissing(
            `Graph answered no result for operation ${index + 1} of a batch of ${operations.length} (it timed out inside the batch); whether it was sent is unknown`,
          ),
        );
    }
  }

  private postAlone(target: GraphTarget, operation: GraphOperation): Promise<HttpAnswer> {
    this.sent(1);
    return postHttp(
      `${base(target)}/${operation.path}`,
      // In the header, not the query string: URLs end up in proxy and access logs (Graph accepts both).
      { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
      JSON.stringify(operation.fields),
      this.timeoutMs,
    );
  }
}

function base(target: GraphTarget): string {
  return `${target.baseUrl.replace(/\/$/, '')}/${target.apiVersion}`;
}

/** A batch operation's body is form-encoded; Graph reads object values given as JSON strings. */
function formBody(fields: Record<string, unknown>): string {
  const form: string[] = [];
  for (const [name, value] of Object.entries(fields))
    if (value !== undefined)
      form.push(formField(name, typeof value === 'string' ? value : JSON.stringify(value)));
  return form.join('&');
}

function isSlot(slot: unknown): slot is { code: number; body?: unknown } {
  return (
    typeof slot === 'object' &&
    slot !== null &&
    typeof (slot as { code?: unknown }).code === 'number'
  );
}

function parsedBody(body: unknown): unknown {
  if (typeof body !== 'string') return body ?? null;
  try {
    return body.length > 0 ? JSON.parse(body) : null;
  } catch {
    return body;
  }
}
