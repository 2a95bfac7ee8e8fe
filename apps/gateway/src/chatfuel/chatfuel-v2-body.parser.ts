// The JSON body of a Chatfuel-style V2 call (seed 002): who (customer_id / email / phone / fbid,
// at least one; the others update the contact), what (exactly one of block_id and messages), and
// Messenger's notification tokens and the identifier priority. Pure, so each rule is unit-tested.
import { INPUT_LIMITS, type Message } from '@herald/contracts';
import { HeraldError } from '@herald/errors';
import { checkMessages } from '../content/content.validation.js';

export const PRIORITY_KEYS = ['fbid', 'phone', 'email'] as const;
export type PriorityKey = (typeof PRIORITY_KEYS)[number];

export interface ChatfuelV2Body {
  customer: { userId?: string; email?: string; phone?: string; fbid?: string };
  blockId?: string;
  messages?: Message[];
  notificationMessagesToken?: string;
  oneTimeNotifToken?: string;
  /** Given, or the default order fbid, phone, email. */
  priority: PriorityKey[];
}

const FIELDS = [
  'customer_id',
  'customer_email',
  'customer_phone',
  'customer_fbid',
  'block_id',
  'messages',
  'notification_messages_token',
  'one_time_notif_token',
  'priority',
] as const;

const EMAIL = /^[^\s@]+@[^\s@]+$/;
// The shape of a number only; phone-targets.ts makes it E.164 (national forms need the bot's defaultCountry).
const PHONE = /^\(?\+?[0-9][0-9 ()./-]{2,30}$/;

function text(body: Record<string, unknown>, field: string, max: number): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number')
    throw HeraldError.invalid(field, `${field} must be a string.`);
  const trimmed = String(value).trim();
  if (trimmed.length === 0) return undefined;
  if (trimmed.length > max)
    throw HeraldError.invalid(field, `${field} is longer than ${max} characters.`);
  return trimmed;
}

export function parseChatfuelV2Body(body: unknown): ChatfuelV2Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw HeraldError.invalid(
      'body',
      'The body must be a JSON object.',
      'Send e.g. {"customer_phone": "+15551234567", "messages": [{"text": "Hi"}]}.',
    );
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw HeraldError.invalid(
      unknown[0],
      `Unknown field(s): ${unknown.slice(0, 5).join(', ')}.`,
      `The fields are: ${FIELDS.join(', ')}.`,
    );
  }
  const customer = {
    userId: text(fields, 'customer_id', INPUT_LIMITS.userId),
    email: text(fields, 'customer_email', INPUT_LIMITS.email),
    phone: text(fields, 'customer_phone', INPUT_LIMITS.phone),
    fbid: text(fields, 'customer_fbid', INPUT_LIMITS.userId),
  };
  if (!customer.userId && !customer.email && !customer.phone && !customer.fbid) {
    throw HeraldError.invalid(
      'customer_id',
      'Say who to send to: customer_id, customer_email, customer_phone or customer_fbid (at least one).',
      'Extra identifiers update the contact.',
    );
  }
  if (customer.email && !EMAIL.test(customer.email))
    throw HeraldError.invalid('customer_email', 'customer_email is not an email address.');
  if (customer.phone && !PHONE.test(customer.phone)) {
    throw HeraldError.invalid(
      'customer_phone',
      'customer_phone is not a phone number.',
      'Use the international format, e.g. +15551234567.',
    );
  }
  const hasBlock = fields.block_id !== undefined && fields.block_id !== null;
  const hasMessages = fields.messages !== undefined && fields.messages !== null;
  if (hasBlock === hasMessages) {
    throw HeraldError.invalid(
      hasBlock ? 'messages' : 'block_id',
      hasBlock
        ? 'Give block_id or messages, not both.'
        : 'Say what to send: block_id, or messages (e.g. [{"text": "Hi"}]).',
    );
  }
  const parsed: ChatfuelV2Body = {
    customer: Object.fromEntries(Object.entries(customer).filter(([, v]) => v !== undefined)),
    priority: parsePriority(fields.priority),
  };
  if (hasBlock) {
    const blockId = text(fields, 'block_id', 200);
    if (!blockId) throw HeraldError.invalid('block_id', 'block_id is empty.');
    parsed.blockId = blockId;
  } else {
    parsed.messages = checkMessages(fields.messages, 'messages');
  }
  const ntn = text(fields, 'notification_messages_token', INPUT_LIMITS.notificationToken);
  if (ntn) parsed.notificationMessagesToken = ntn;
  const otn = text(fields, 'one_time_notif_token', INPUT_LIMITS.notificationToken);
  if (otn) parsed.oneTimeNotifToken = otn;
  return parsed;
}

function parsePriority(value: unknown): PriorityKey[] {
  if (value === undefined || value === null) return [...PRIORITY_KEYS];
  const fix = `Use a subset of ${JSON.stringify(PRIORITY_KEYS)}, in the order to try them.`;
  if (!Array.isArray(value) || value.length === 0)
    throw HeraldError.invalid('priority', 'priority must be a non-empty array.', fix);
  const seen = new Set<string>();
  for (const entry of value) {
    if (typeof entry !== 'string' || !(PRIORITY_KEYS as readonly string[]).includes(entry)) {
      throw HeraldError.invalid(
        'priority',
        `${JSON.stringify(entry)} is not fbid, phone or email.`,
        fix,
      );
    }
    if (seen.has(entry))
      throw HeraldError.invalid('priority', `priority lists "${entry}" twice.`, fix);
    seen.add(entry);
  }
  return value as PriorityKey[];
}
