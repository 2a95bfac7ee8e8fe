// Graph API batch requests: POST /{version}/ (or /) with `batch`, a JSON array of up to 50
// operations ({method, relative_url, body}), each body a form-encoded string. The answer is an
// array in the same order, one {code, headers, body} per operation, its body a JSON string.
import { isObject, type Parsed } from '../channel.js';
import { messengerInvalid } from '../common/graph-error.js';

/** Graph refuses a batch of more operations than this. */
export const GRAPH_BATCH_MAX = 50;

export interface BatchOperation {
  method: string;
  /** The operation's path without the host, with or without a leading version. */
  relativeUrl: string;
  /** The body's fields (form-encoded values decoded, still strings). */
  fields: Record<string, string>;
}

/** A send the batch routes to the Messages endpoints: `{id}/messages` or `me/messages`. */
export interface MessagesPath {
  /** The Page or phone number id; undefined for `me`. */
  id: string | undefined;
}

const MESSAGES_PATH = /^\/?(?:v\d+\.\d+\/)?([A-Za-z0-9_]+)\/messages\/?$/;

/** The batch's operations, or Graph's error for a batch it would refuse as a whole. */
export function parseBatch(body: unknown): Parsed<BatchOperation[]> {
  const raw = isObject(body) ? body.batch : undefined;
  let batch: unknown = raw;
  if (typeof raw === 'string') {
    try {
      batch = JSON.parse(raw);
    } catch {
      return refuse('The parameter batch must be a JSON-encoded array');
    }
  }
  if (batch === undefined) return refuse('The parameter batch is required');
  if (!Array.isArray(batch) || batch.length === 0)
    return refuse('The parameter batch must be a non-empty JSON array');
  if (batch.length > GRAPH_BATCH_MAX)
    return refuse(`Too many requests in batch message. Maximum batch size is ${GRAPH_BATCH_MAX}`);
  const operations: BatchOperation[] = [];
  for (const [index, operation] of batch.entries()) {
    if (!isObject(operation) || typeof operation.relative_url !== 'string')
      return refuse(`Batch parameter ${index} must be an object with a relative_url`);
    const fields =
      typeof operation.body === 'string'
        ? Object.fromEntries(new URLSearchParams(operation.body))
        : {};
    operations.push({
      method: typeof operation.method === 'string' ? operation.method.toUpperCase() : 'GET',
      relativeUrl: operation.relative_url,
      fields,
    });
  }
  return { ok: true, value: operations };
}

/** The Messages endpoint an operation posts to, or undefined when it is anything else. */
export function messagesPath(operation: BatchOperation): MessagesPath | undefined {
  if (operation.method !== 'POST') return undefined;
  const match = MESSAGES_PATH.exec(operation.relativeUrl.split('?')[0]);
  if (match === null) return undefined;
  return { id: match[1] === 'me' ? undefined : match[1] };
}

function refuse(message: string): Parsed<never> {
  return { ok: false, reply: messengerInvalid(message) };
}
