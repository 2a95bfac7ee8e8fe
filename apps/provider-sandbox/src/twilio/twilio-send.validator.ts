// Validates a Messages API create the way Twilio does: PascalCase form parameters, the flat
// error body, one specific code per problem.
import type { Parsed } from '../channel.js';
import { twilioError } from '../common/twilio-error.js';

export interface TwilioSend {
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  mediaUrls: string[];
  contentSid: string | null;
  contentVariables: string | null;
  statusCallback: string | null;
}

export const E164 = /^\+[1-9]\d{1,14}$/;
export const BODY_MAX_LENGTH = 1600;

export function parseTwilioSend(params: unknown): Parsed<TwilioSend> {
  const form =
    typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : {};
  const to = first(form.To);
  if (to === undefined || to === '') {
    return fail(21211, "A 'To' phone number is required.");
  }
  if (!E164.test(to)) return fail(21211, `The 'To' number ${to} is not a valid phone number.`);
  const from = nonEmpty(first(form.From));
  const messagingServiceSid = nonEmpty(first(form.MessagingServiceSid));
  if (from === null && messagingServiceSid === null) {
    return fail(21603, "A 'From' phone number is required.");
  }
  const body = first(form.Body) ?? '';
  const mediaUrls = all(form.MediaUrl);
  const contentSid = nonEmpty(first(form.ContentSid));
  if (body === '' && mediaUrls.length === 0 && contentSid === null) {
    return fail(21602, 'Message body is required.');
  }
  if (body.length > BODY_MAX_LENGTH) {
    return fail(21617, 'The concatenated message body exceeds the 1600 character limit.');
  }
  return {
    ok: true,
    value: {
      to,
      from,
      messagingServiceSid,
      body,
      mediaUrls,
      contentSid,
      contentVariables: nonEmpty(first(form.ContentVariables)),
      statusCallback: validUrl(first(form.StatusCallback)),
    },
  };
}

function fail(code: number, message: string): Parsed<TwilioSend> {
  return { ok: false, reply: twilioError(400, code, message) };
}

/** Form fields repeat (MediaUrl); the first value is the one Twilio reads for single fields. */
function first(value: unknown): string | undefined {
  const item = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof item === 'string') return item;
  if (typeof item === 'number' || typeof item === 'boolean') return String(item);
  return undefined;
}

function all(value: unknown): string[] {
  const items = Array.isArray(value) ? (value as unknown[]) : value === undefined ? [] : [value];
  return items.filter((item): item is string => typeof item === 'string' && item !== '');
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

/** A StatusCallback the sandbox could not post to is ignored rather than failing the send. */
function validUrl(value: string | undefined): string | null {
  if (value === undefined || !URL.canParse(value)) return null;
  const protocol = new URL(value).protocol;
  return protocol === 'http:' || protocol === 'https:' ? value : null;
}
