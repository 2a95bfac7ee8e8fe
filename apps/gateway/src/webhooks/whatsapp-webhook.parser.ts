// WhatsApp Cloud API webhooks (`whatsapp_business_account`): `statuses[]` become delivery
// statuses (delivered, read, failed; "sent" is already known), `messages[]` mean the person wrote
// (a text that is only STOP or START, as on SMS, opts them out or back in).
import type { ContactInbound, DeliveryStatusReport } from '@herald/contracts';
import { HeraldError } from '@herald/errors';
import { keywordOf } from './twilio-webhook.parser.js';
import {
  arrayAt,
  clip,
  isObject,
  objectAt,
  textAt,
  unixTime,
  type WebhookEvents,
} from './webhook-events.js';

const STATUSES = new Set(['delivered', 'read', 'failed']);

export function parseWhatsAppWebhook(body: unknown): WebhookEvents {
  const root = objectAt(body, 'body');
  if (root.object !== 'whatsapp_business_account') {
    throw HeraldError.invalid(
      'object',
      `object must be "whatsapp_business_account", got ${JSON.stringify(root.object)}`,
    );
  }
  const statuses: DeliveryStatusReport[] = [];
  const inbound: ContactInbound[] = [];
  for (const [e, entry] of arrayAt(root.entry, 'entry', false).entries()) {
    for (const [c, change] of arrayAt(
      objectAt(entry, `entry[${e}]`).changes,
      `entry[${e}].changes`,
    ).entries()) {
      const where = `entry[${e}].changes[${c}]`;
      const { field, value } = objectAt(change, where);
      if (field !== 'messages' || !isObject(value)) continue;
      const hasWork = Array.isArray(value.statuses) || Array.isArray(value.messages);
      if (!hasWork) continue;
      const account = textAt(
        objectAt(value.metadata, `${where}.value.metadata`).phone_number_id,
        `${where}.value.metadata.phone_number_id`,
        128,
      );
      for (const [i, raw] of arrayAt(value.statuses, `${where}.value.statuses`).entries()) {
        const at = `${where}.value.statuses[${i}]`;
        const status = objectAt(raw, at);
        if (typeof status.status !== 'string' || !STATUSES.has(status.status)) continue;
        const error =
          Array.isArray(status.errors) && isObject(status.errors[0]) ? status.errors[0] : undefined;
        const details =
          isObject(error?.error_data) && typeof error.error_data.details === 'string'
            ? error.error_data.details
            : undefined;
        const reason =
          details ??
          (typeof error?.title === 'string'
            ? error.title
            : typeof error?.message === 'string'
              ? error.message
              : undefined);
        statuses.push({
          channel: 'whatsapp',
          account,
          recipient:
            status.recipient_id === undefined
              ? textAt(status.id, `${at}.id`)
              : textAt(status.recipient_id, `${at}.recipient_id`),
          status: status.status as DeliveryStatusReport['status'],
          providerMessageId: textAt(status.id, `${at}.id`),
          at: unixTime(status.timestamp, `${at}.timestamp`),
          ...(error && (typeof error.code === 'number' || typeof error.code === 'string')
            ? { code: clip(String(error.code), 64) }
            : {}),
          ...(reason ? { reason: clip(reason, 1024) } : {}),
        });
      }
      for (const [i, raw] of arrayAt(value.messages, `${where}.value.messages`).entries()) {
        const at = `${where}.value.messages[${i}]`;
        const message = objectAt(raw, at);
        // Username-only senders (no phone number) cannot be matched to a contact yet.
        if (message.from === undefined) continue;
        const text =
          message.type === 'text' && isObject(message.text) && typeof message.text.body === 'string'
            ? message.text.body
            : undefined;
        const keyword = text === undefined ? undefined : keywordOf(text);
        inbound.push({
          channel: 'whatsapp',
          account,
          sender: textAt(message.from, `${at}.from`),
          ...(message.id !== undefined ? { messageId: textAt(message.id, `${at}.id`) } : {}),
          ...(keyword ? { keyword } : {}),
          at: unixTime(message.timestamp, `${at}.timestamp`),
        });
      }
    }
  }
  return { statuses, inbound };
}
