// Validates a Cloud API send the way Graph does, answering code 100 with a `details` that names
// the field. Types beyond text and template are checked loosely (present, roughly shaped).
import { isObject, type Parsed } from '../channel.js';
import { whatsappInvalid } from '../common/graph-error.js';

export interface WhatsAppSend {
  /** `to` as sent, echoed in contacts[].input. */
  input: string;
  /** Digits only. */
  waId: string;
  type: string;
  text: string | null;
  /** JSON of the template or of the type's object. */
  data: string | null;
}

export const TEXT_MAX_LENGTH = 4096;
const MEDIA_TYPES = new Set(['image', 'document', 'audio', 'video', 'sticker']);
const OTHER_TYPES = new Set(['interactive', 'location', 'contacts', 'reaction']);
const ALL_TYPES = ['text', 'template', ...MEDIA_TYPES, ...OTHER_TYPES];

export function parseWhatsAppSend(body: unknown): Parsed<WhatsAppSend> {
  if (!isObject(body)) {
    return fail('Invalid parameter', 'The request body must be a JSON object.');
  }
  if (body.messaging_product === undefined) {
    return fail('The parameter messaging_product is required.', 'messaging_product is required.');
  }
  if (body.messaging_product !== 'whatsapp') {
    return fail(
      'Invalid parameter',
      `messaging_product must be "whatsapp", got ${JSON.stringify(body.messaging_product)}.`,
    );
  }
  if (
    body.recipient_type !== undefined &&
    body.recipient_type !== 'individual' &&
    body.recipient_type !== 'group'
  ) {
    return fail('Invalid parameter', 'recipient_type must be "individual" or "group".');
  }
  const to = body.to;
  if (typeof to !== 'string' || to.trim() === '') {
    return fail('The parameter to is required.', 'to is required.');
  }
  const waId = to.replace(/\D/g, '');
  if (!/^[+\d\s().-]+$/.test(to) || waId.length < 5 || waId.length > 15) {
    return fail('Invalid parameter', `to must be a phone number, got "${to}".`);
  }
  const type = body.type ?? 'text';
  if (typeof type !== 'string' || !ALL_TYPES.includes(type)) {
    return fail(
      `Param type must be one of {${ALL_TYPES.join(', ')}} - got ${JSON.stringify(type)}.`,
      'Unsupported message type.',
    );
  }
  const content = body[type];
  if (type === 'text') return parseText(to, waId, content);
  if (type === 'template') return parseTemplate(to, waId, content);
  if (content === undefined || content === null || typeof content !== 'object') {
    return fail(`The parameter ${type} is required.`, `${type} is required for type ${type}.`);
  }
  if (MEDIA_TYPES.has(type)) {
    const media = content as Record<string, unknown>;
    if (typeof media.id !== 'string' && typeof media.link !== 'string') {
      return fail('Invalid parameter', `${type} must contain an id or a link.`);
    }
    const caption = typeof media.caption === 'string' ? media.caption : null;
    return ok(to, waId, type, caption, JSON.stringify(content));
  }
  if (type === 'interactive') {
    const interactive = content as Record<string, unknown>;
    if (typeof interactive.type !== 'string') {
      return fail(
        "The parameter interactive['type'] is required.",
        'interactive.type is required.',
      );
    }
    const text =
      isObject(interactive.body) && typeof interactive.body.text === 'string'
        ? interactive.body.text
        : null;
    return ok(to, waId, type, text, JSON.stringify(content));
  }
  return ok(to, waId, type, null, JSON.stringify(content));
}

function parseText(input: string, waId: string, text: unknown): Parsed<WhatsAppSend> {
  if (!isObject(text) || text.body === undefined) {
    return fail("The parameter text['body'] is required.", 'text.body is required for type text.');
  }
  if (typeof text.body !== 'string' || text.body.length === 0) {
    return fail('Invalid parameter', 'text.body must be a non-empty string.');
  }
  if (text.body.length > TEXT_MAX_LENGTH) {
    return fail(
      `Param text['body'] must be at most ${TEXT_MAX_LENGTH} characters long.`,
      `text.body is ${text.body.length} characters; the limit is ${TEXT_MAX_LENGTH}.`,
    );
  }
  if (text.preview_url !== undefined && typeof text.preview_url !== 'boolean') {
    return fail('Invalid parameter', 'text.preview_url must be a boolean.');
  }
  return ok(input, waId, 'text', text.body, null);
}

function parseTemplate(input: string, waId: string, template: unknown): Parsed<WhatsAppSend> {
  if (!isObject(template)) {
    return fail('The parameter template is required.', 'template is required for type template.');
  }
  if (typeof template.name !== 'string' || template.name === '') {
    return fail("The parameter template['name'] is required.", 'template.name is required.');
  }
  if (
    !isObject(template.language) ||
    typeof template.language.code !== 'string' ||
    template.language.code === ''
  ) {
    return fail(
      "The parameter template['language']['code'] is required.",
      'template.language.code is required.',
    );
  }
  if (template.components !== undefined && !Array.isArray(template.components)) {
    return fail(
      "Param template['components'] must be an array.",
      'template.components must be an array.',
    );
  }
  return ok(input, waId, 'template', null, JSON.stringify(template));
}

function ok(
  input: string,
  waId: string,
  type: string,
  text: string | null,
  data: string | null,
): Parsed<WhatsAppSend> {
  return { ok: true, value: { input, waId, type, text, data } };
}

function fail(message: string, details: string): Parsed<WhatsAppSend> {
  return { ok: false, reply: whatsappInvalid(message, details) };
}
