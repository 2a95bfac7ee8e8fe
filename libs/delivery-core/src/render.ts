// Renders {{variable}} from the contact and {{payload.x.y}} from a forwarded hook payload.
// A missing variable renders empty and is counted, never an error.
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

export function render(
  messages: Message[],
  variables: Record<string, string>,
  payload?: unknown,
): Rendered {
  const counter = { missing: 0 };
  const rendered = messages.map((m): Message => {
    if ('text' in m) return { text: renderText(m.text, variables, payload, counter) };
    const components = m.template.components
      ? (JSON.parse(
          renderText(JSON.stringify(m.template.components), variables, payload, counter),
        ) as unknown[])
      : undefined;
    return { template: { ...m.template, ...(components ? { components } : {}) } };
  });
  return { messages: rendered, missing: counter.missing };
}
