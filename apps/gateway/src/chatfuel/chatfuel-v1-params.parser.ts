// The parameters of a Chatfuel-style V1 call (seed 002), from the query string and/or a JSON (or
// form) body: Herald's names, Chatfuel's own `chatfuel_*` aliases, and every other parameter as a
// user attribute to set before the block is rendered. Pure, so each rule is unit-tested.
import { INPUT_LIMITS } from '@herald/contracts';
import { HeraldError } from '@herald/errors';

/** The Messenger message tags the V1 API takes (`messaging_tag`). */
export const MESSAGING_TAGS = [
  'CONFIRMED_EVENT_UPDATE',
  'POST_PURCHASE_UPDATE',
  'ACCOUNT_UPDATE',
  'HUMAN_AGENT',
] as const;
export type MessagingTag = (typeof MESSAGING_TAGS)[number];

export interface ChatfuelV1Params {
  token?: string;
  blockName?: string;
  blockId?: string;
  messagingTag?: MessagingTag;
  attributes: Record<string, string>;
}

type Known = 'token' | 'blockName' | 'blockId' | 'messagingTag';

const NAMES: Record<string, Known> = {
  bot_token: 'token',
  chatfuel_token: 'token',
  block_name: 'blockName',
  chatfuel_block_name: 'blockName',
  block_id: 'blockId',
  chatfuel_block_id: 'blockId',
  messaging_tag: 'messagingTag',
  chatfuel_message_tag: 'messagingTag',
};

// Attributes become the person's variables: the variables' limits (libs/contracts).
export const MAX_ATTRIBUTES = INPUT_LIMITS.variables;
const MAX_ATTRIBUTE_NAME = INPUT_LIMITS.variableName;
const MAX_ATTRIBUTE_VALUE = INPUT_LIMITS.variableValue;

function entriesOf(source: unknown, where: 'query' | 'body'): Array<[string, string]> {
  if (source === undefined || source === null || source === '') return [];
  if (typeof source !== 'object' || Array.isArray(source)) {
    throw HeraldError.invalid(
      'body',
      'The body must be a JSON object of parameters (or empty, with everything in the query).',
    );
  }
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      throw HeraldError.invalid(
        name,
        `${name} is given more than once${where === 'query' ? ' in the query' : ''}; give it once.`,
      );
    }
    if (typeof value === 'object')
      throw HeraldError.invalid(name, `${name} must be a string, number or boolean.`);
    out.push([name, String(value)]);
  }
  return out;
}

/** `"CONFIRMED_EVENT_UPDATE"` with its quotes, as the seed writes it, is the tag itself. */
function unquote(value: string): string {
  const trimmed = value.trim();
  return /^(["']).*\1$/.test(trimmed) && trimmed.length >= 2
    ? trimmed.slice(1, -1).trim()
    : trimmed;
}

export function parseChatfuelV1Params(query: unknown, body: unknown): ChatfuelV1Params {
  const known: Partial<Record<Known, { name: string; value: string }>> = {};
  const attributes: Record<string, string> = {};
  for (const [name, value] of [...entriesOf(query, 'query'), ...entriesOf(body, 'body')]) {
    const lower = name.toLowerCase();
    const canonical = NAMES[lower];
    if (canonical) {
      const previous = known[canonical];
      if (previous && previous.value !== value) {
        throw HeraldError.invalid(
          name,
          `${previous.name} and ${name} both say which ${describe(canonical)} to use, with different values; give one.`,
        );
      }
      known[canonical] = { name, value };
      continue;
    }
    if (lower.startsWith('chatfuel_')) {
      throw HeraldError.invalid(
        name,
        `"${name}" is reserved: parameters starting with chatfuel_ are not user attributes.`,
        `The chatfuel_ names Herald accepts are ${Object.keys(NAMES)
          .filter((n) => n.startsWith('chatfuel_'))
          .join(', ')}.`,
      );
    }
    if (name.length === 0 || name.length > MAX_ATTRIBUTE_NAME) {
      throw HeraldError.invalid(
        name.slice(0, 64),
        `Attribute names must be 1 to ${MAX_ATTRIBUTE_NAME} characters.`,
      );
    }
    if (value.length > MAX_ATTRIBUTE_VALUE)
      throw HeraldError.invalid(
        name,
        `The value of attribute ${name} is longer than ${MAX_ATTRIBUTE_VALUE} characters.`,
      );
    attributes[name] = value;
  }
  if (Object.keys(attributes).length > MAX_ATTRIBUTES) {
    throw HeraldError.invalid(
      'attributes',
      `At most ${MAX_ATTRIBUTES} user attributes can be set in one call.`,
    );
  }
  if (known.blockName && known.blockId) {
    throw HeraldError.invalid(known.blockId.name, 'Give block_name or block_id, not both.');
  }
  const params: ChatfuelV1Params = { attributes };
  if (known.token) params.token = known.token.value;
  if (known.blockName) params.blockName = nonEmpty(known.blockName);
  if (known.blockId) params.blockId = nonEmpty(known.blockId);
  if (known.messagingTag) {
    const tag = unquote(known.messagingTag.value).toUpperCase();
    if (!(MESSAGING_TAGS as readonly string[]).includes(tag)) {
      throw HeraldError.invalid(
        known.messagingTag.name,
        `"${known.messagingTag.value}" is not a messaging tag this API takes.`,
        `Use one of: ${MESSAGING_TAGS.join(', ')}.`,
      );
    }
    params.messagingTag = tag as MessagingTag;
  }
  return params;
}

function nonEmpty(entry: { name: string; value: string }): string {
  const value = entry.value.trim();
  if (value.length === 0) throw HeraldError.invalid(entry.name, `${entry.name} is empty.`);
  return value;
}

function describe(canonical: Known): string {
  return {
    token: 'bot token',
    blockName: 'block',
    blockId: 'block',
    messagingTag: 'messaging tag',
  }[canonical];
}
