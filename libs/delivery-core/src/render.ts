// Renders {{variable}} from the contact and {{payload.x.y}} from a forwarded hook payload.
// A missing variable renders empty and is counted, never an error. Templates are rendered in
// their parsed structure, string by string: a value (quotes, backslashes, newlines, `{{`) lands
// in the request exactly as written and can never add fields or break the JSON around it.
import type { Message } from '@herald/contracts';

const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}/g;

export interface Rendered {
  messages: Message[];
  missing: number;
}

function lookup(
  path: string,
  variables: Record<string, string>,
  payload: unknown,
): string | undefined {
  if (!path.startsWith('payload.')) return variables[path];
  let node: unknown = payload;
  for (const part of path.slice('payload.'.length).split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  if (node === undefined || node === null) return undefined;
  return typeof node === 'object' ? JSON.stringify(node) : String(node);
}

export function renderText(
  text: string,
  variables: Record<string, string>,
  payload: unknown,
  counter: { missing: number },
): string {
  return text.replace(PLACEHOLDER, (_, path: string) => {
    const value = lookup(path, variables, payload);
    if (value === undefined) counter.missing++;
    return value ?? '';
  });
}

/** A copy of `node` with `fill` applied to every string in it (keys are left as they are). */
function renderStrings(node: unknown, fill: (text: string) => string): unknown {
  if (typeof node === 'string') return fill(node);
  if (Array.isArray(node)) return node.map((item) => renderStrings(item, fill));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = renderStrings(value, fill);
    return out;
  }
  return node;
}

export function render(
  messages: Message[],
  variables: Record<string, string>,
  payload?: unknown,
): Rendered {
  const counter = { missing: 0 };
  const rendered = messages.map((m): Message => {
    if ('text' in m) return { text: renderText(m.text, variables, payload, counter) };
    const components = m.template.components?.map((c) =>
      renderStrings(c, (text) => renderText(text, variables, payload, counter)),
    );
    return { template: { ...m.template, ...(components ? { components } : {}) } };
  });
  return { messages: rendered, missing: counter.missing };
}
