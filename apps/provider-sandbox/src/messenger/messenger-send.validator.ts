// Validates a Send API request the way Graph does (code 100, with the subcode where Meta has one).
// Graph also accepts the documented form-encoded variant whose values are JSON strings.
import { isObject, type Parsed } from '../channel.js';
import { messengerInvalid } from '../common/graph-error.js';

export const RECIPIENT_KINDS = [
  'id',
  'user_ref',
  'notification_messages_token',
  'one_time_notif_token',
  'phone_number',
] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];

export const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'] as const;
export const MESSAGE_TAGS = [
  'ACCOUNT_UPDATE',
  'CONFIRMED_EVENT_UPDATE',
  'CUSTOMER_FEEDBACK',
  'HUMAN_AGENT',
  'POST_PURCHASE_UPDATE',
] as const;
const ATTACHMENT_TYPES = ['image', 'audio', 'video', 'file', 'template'];
export const TEXT_MAX_LENGTH = 2000;

export interface MessengerSend {
  recipientKind: RecipientKind;
  recipient: string;
  /** A typing indicator or mark_seen: answered, but not a message. */
  senderAction: boolean;
  /** MESSAGE_TAG with a valid tag: allowed outside the 24-hour window. */
  tagged: boolean;
  type: 'text' | 'attachment';
  text: string | null;
  data: string | null;
}

/** A Send API body (rather than a WhatsApp one) on the shared /{version}/{id}/messages path. */
export function isMessengerPayload(body: unknown): boolean {
  return isObject(body) && body.messaging_product === undefined && body.recipient !== undefined;
}

export function parseMessengerSend(rawBody: unknown): Parsed<MessengerSend> {
  if (!isObject(rawBody)) return fail('Param body must be a JSON object');
  const body = decodeFormFields(rawBody);
  const recipient = body.recipient;
  if (!isObject(recipient)) return fail('The parameter recipient is required');
  const present = RECIPIENT_KINDS.filter(
    (kind) => recipient[kind] !== undefined && recipient[kind] !== null && recipient[kind] !== '',
  );
  if (present.length !== 1) {
    return fail(`Param recipient must contain exactly one of ${RECIPIENT_KINDS.join(', ')}`);
  }
  const recipientKind = present[0];
  const value = recipient[recipientKind];
  if (typeof value !== 'string' && typeof value !== 'number') {
    return fail(`Param recipient[${recipientKind}] must be a string`);
  }
  const recipientValue = String(value);

  if (body.sender_action !== undefined) {
    if (body.message !== undefined) {
      return fail('sender_action cannot be sent together with message');
    }
    return done(recipientKind, recipientValue, true, false, 'text', null, null);
  }

  const messagingType = body.messaging_type;
  if (messagingType === undefined) return fail('The parameter messaging_type is required');
  if (!(MESSAGING_TYPES as readonly unknown[]).includes(messagingType)) {
    return fail(
      `Param messaging_type must be one of {${MESSAGING_TYPES.join(', ')}} - got ${JSON.stringify(messagingType)}`,
    );
  }
  const tagged = messagingType === 'MESSAGE_TAG';
  if (tagged) {
    if (body.tag === undefined) {
      return fail('The parameter tag is required when messaging_type is MESSAGE_TAG');
    }
    if (!(MESSAGE_TAGS as readonly unknown[]).includes(body.tag)) {
      return fail(
        `Param tag must be one of {${MESSAGE_TAGS.join(', ')}} - got ${JSON.stringify(body.tag)}`,
      );
    }
  }

  const message = body.message;
  if (message === undefined) return fail('Must send either message or state');
  if (!isObject(message)) return fail('Param message must be a JSON object');
  const hasText = message.text !== undefined;
  const hasAttachment = message.attachment !== undefined;
  if (!hasText && !hasAttachment) {
    return fail('Message cannot be empty, must provide valid attachment or text', 2018034);
  }
  if (hasText && hasAttachment) return fail('Only one of text or attachment can be specified');
  if (hasText) {
    if (typeof message.text !== 'string' || message.text === '') {
      return fail('Param message[text] must be a non-empty UTF-8 encoded string', 2018034);
    }
    if (message.text.length > TEXT_MAX_LENGTH) {
      return fail(`Length of param message[text] must be less than or equal to ${TEXT_MAX_LENGTH}`);
    }
    return done(recipientKind, recipientValue, false, tagged, 'text', message.text, null);
  }
  const attachment = message.attachment;
  if (!isObject(attachment) || !ATTACHMENT_TYPES.includes(attachment.type as string)) {
    return fail(`Param message[attachment][type] must be one of {${ATTACHMENT_TYPES.join(', ')}}`);
  }
  if (!isObject(attachment.payload)) {
    return fail('The parameter message[attachment][payload] is required');
  }
  return done(
    recipientKind,
    recipientValue,
    false,
    tagged,
    'attachment',
    null,
    JSON.stringify(attachment),
  );
}

/** Form-encoded sends carry recipient and message as JSON strings. */
function decodeFormFields(body: Record<string, unknown>): Record<string, unknown> {
  if (typeof body.recipient !== 'string' && typeof body.message !== 'string') return body;
  const decoded = { ...body };
  for (const field of ['recipient', 'message']) {
    const value = decoded[field];
    if (typeof value === 'string') {
      try {
        decoded[field] = JSON.parse(value);
      } catch {
        // Left as a string: the field checks below answer with Graph's error.
      }
    }
  }
  return decoded;
}

function done(
  recipientKind: RecipientKind,
  recipient: string,
  senderAction: boolean,
  tagged: boolean,
  type: 'text' | 'attachment',
  text: string | null,
  data: string | null,
): Parsed<MessengerSend> {
  return {
    ok: true,
    value: { recipientKind, recipient, senderAction, tagged, type, text, data },
  };
}

function fail(message: string, subcode?: number): Parsed<MessengerSend> {
  return { ok: false, reply: messengerInvalid(message, subcode) };
}
