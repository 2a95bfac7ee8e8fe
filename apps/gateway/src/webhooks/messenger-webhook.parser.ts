// Messenger webhooks (`page`): `delivery` (by message ids, else a watermark) and `read`
// (always a watermark) become delivery statuses; a message or postback from the person (not an
// echo of the page's own sends) means they wrote. Timestamps are milliseconds.
import type { ContactInbound, DeliveryStatusReport } from '@herald/contracts';
import { HeraldError } from '@herald/errors';
import { arrayAt, isObject, objectAt, textAt, type WebhookEvents } from './webhook-events.js';

function millis(value: unknown, field: string): string {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw HeraldError.invalid(field, `${field} must be a time in milliseconds`);
  return new Date(value).toISOString();
}

export function parseMessengerWebhook(body: unknown, now = Date.now()): WebhookEvents {
  const root = objectAt(body, 'body');
  if (root.object !== 'page')
    throw HeraldError.invalid(
      'object',
      `object must be "page", got ${JSON.stringify(root.object)}`,
    );
  const statuses: DeliveryStatusReport[] = [];
  const inbound: ContactInbound[] = [];
  for (const [e, entry] of arrayAt(root.entry, 'entry', false).entries()) {
    const page = objectAt(entry, `entry[${e}]`);
    for (const [m, raw] of arrayAt(page.messaging, `entry[${e}].messaging`).entries()) {
      const at = `entry[${e}].messaging[${m}]`;
      const event = objectAt(raw, at);
      const sender = textAt(objectAt(event.sender, `${at}.sender`).id, `${at}.sender.id`);
      const account = textAt(
        objectAt(event.recipient, `${at}.recipient`).id,
        `${at}.recipient.id`,
        128,
      );
      const time =
        event.timestamp === undefined
          ? new Date(now).toISOString()
          : millis(event.timestamp, `${at}.timestamp`);
      if (isObject(event.delivery)) {
        const watermark = millis(event.delivery.watermark, `${at}.delivery.watermark`);
        const mids = arrayAt(event.delivery.mids, `${at}.delivery.mids`);
        if (mids.length === 0)
          statuses.push({
            channel: 'messenger',
            account,
            recipient: sender,
            status: 'delivered',
            watermark,
            at: time,
          });
        for (const [i, mid] of mids.entries()) {
          statuses.push({
            channel: 'messenger',
            account,
            recipient: sender,
            status: 'delivered',
            providerMessageId: textAt(mid, `${at}.delivery.mids[${i}]`),
            at: time,
          });
        }
      } else if (isObject(event.read)) {
        const watermark = millis(event.read.watermark, `${at}.read.watermark`);
        statuses.push({
          channel: 'messenger',
          account,
          recipient: sender,
          status: 'read',
          watermark,
          at: time,
        });
      } else if (
        (isObject(event.message) && event.message.is_echo !== true) ||
        isObject(event.postback)
      ) {
        const mid = isObject(event.message)
          ? event.message.mid
          : isObject(event.postback)
            ? event.postback.mid
            : undefined;
        inbound.push({
          channel: 'messenger',
          account,
          sender,
          ...(mid !== undefined ? { messageId: textAt(mid, `${at}.message.mid`) } : {}),
          at: time,
        });
      }
    }
  }
  return { statuses, inbound };
}
