// What no stage of Herald can store or send, refused where it enters: by the public and admin
// APIs with a 400 naming the field, by consumers as an invalid event (DLQ with the reason), by
// the From-API reader as a skipped row. One table of limits, used by all of them and shown in the
// event schemas, so that the gateway and a producer writing straight to Kafka meet the same rules.

export const INPUT_LIMITS = {
  /** Variables (attributes) per person or per call. */
  variables: 100,
  /** Characters of a variable's name. */
  variableName: 128,
  /** Characters of a variable's value. */
  variableValue: 4_096,
  /** Bytes of a forwarded hook payload (as JSON): it travels in every person's delivery event. */
  payloadBytes: 64 * 1024,
  /** Bytes of CSML `metadata` (as JSON), which becomes the person's variables. */
  metadataBytes: 16 * 1024,
  /** Targets in one request. */
  targets: 20_000,
  /** Filters of one audience (a filter's field is a variable name, its value a variable value). */
  filters: 64,
  /** Characters of a person's user id or Messenger id. */
  userId: 256,
  /** Characters of a phone number as given. */
  phone: 32,
  /** Characters of an email address. */
  email: 320,
  /** Characters of a Messenger notification messages or one-time notification token. */
  notificationToken: 1024,
} as const;

export interface InputProblem {
  /** Where: a dotted path such as `targets[3].first_name`. */
  field: string;
  message: string;
}

/**
 * The first string (key or value) anywhere in `value` that PostgreSQL and the providers cannot
 * take: a lone UTF-16 surrogate (JSON allows `"\ud800"`, jsonb and UTF-8 do not) or NUL.
 */
export function illFormedString(value: unknown, root = 'body'): InputProblem | undefined {
  const stack: Array<{ node: unknown; path: string }> = [{ node: value, path: root }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (typeof node === 'string') {
      const problem = stringProblem(node);
      if (problem) return { field: path, message: `${path} ${problem}` };
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      node.forEach((child, i) => stack.push({ node: child, path: `${path}[${i}]` }));
      continue;
    }
    for (const [key, child] of Object.entries(node)) {
      const keyProblem = stringProblem(key);
      if (keyProblem) return { field: path, message: `a key of ${path} ${keyProblem}` };
      stack.push({ node: child, path: `${path}.${key}` });
    }
  }
  return undefined;
}

/** In a `u` regex a surrogate class matches only unpaired halves: pairs are one code point. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function stringProblem(text: string): string | undefined {
  if (text.includes('\u0000'))
    return 'contains the NUL character (\\u0000), which cannot be stored';
  if (LONE_SURROGATE.test(text))
    return 'contains a lone UTF-16 surrogate (e.g. "\\ud800"), which is not valid Unicode text';
  return undefined;
}

/**
 * Whether raw JSON text may hold what `illFormedString` looks for: both can only appear as
 * escapes (`\u0000`, `\ud800`…), so the common case skips the walk after one scan.
 */
export function mayBeIllFormed(json: string): boolean {
  return /\\u(?:0000|[dD][89a-fA-F])/.test(json);
}

/** Problems of a set of variables against INPUT_LIMITS (names and values already strings). */
export function variablesProblem(
  variables: Record<string, string>,
  field: string,
): InputProblem | undefined {
  const names = Object.keys(variables);
  if (names.length > INPUT_LIMITS.variables) {
    return {
      field,
      message: `${field} holds ${names.length} variables; at most ${INPUT_LIMITS.variables} are allowed`,
    };
  }
  for (const name of names) {
    if (name.length === 0 || name.length > INPUT_LIMITS.variableName) {
      return {
        field,
        message: `${field} has a variable name that is empty or longer than ${INPUT_LIMITS.variableName} characters`,
      };
    }
    if (variables[name].length > INPUT_LIMITS.variableValue) {
      return {
        field: `${field}.${name}`,
        message: `the value of ${field}.${name} is ${variables[name].length} characters; at most ${INPUT_LIMITS.variableValue} are allowed`,
      };
    }
  }
  return undefined;
}

/** A problem when `value` serialised as JSON is larger than `maxBytes`. */
export function jsonSizeProblem(
  value: unknown,
  maxBytes: number,
  field: string,
): InputProblem | undefined {
  if (value === undefined) return undefined;
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
  return bytes > maxBytes
    ? { field, message: `${field} is ${bytes} bytes as JSON; at most ${maxBytes} are allowed` }
    : undefined;
}
