// Status webhooks in each provider's real format: WhatsApp `statuses[]`, Twilio's form-encoded
// status callback, Messenger `delivery` / `read` events. Pure, so tests can check the bytes.
import type { Channel } from '../channel.js';
import type { CatalogEntry } from '../faults/provider-error.catalog.js';
import { metaJson, metaSignature, twilioSignature } from './webhook-signature.js';

/** What a status webhook needs to know about the message it reports on. */
export interface DeliveryContext {
  channel: Channel;
  /** wamid, Twilio Message SID or Messenger mid. */
  id: string;
  /** Phone number id, AccountSid or Page id. */
  account: string;
  /** wa_id, E.164 number or Messenger recipient. */
  to: string;
  /** Messenger: the PSID that appears as the sender of delivery and read events. */
  psid?: string;
  from?: string | null;
  messagingServiceSid?: string | null;
  /** Twilio: the send's own StatusCallback, which wins over the channel's URL. */
  statusCallback?: string;
  /** Set when the message was accepted but fails in its callback. */
  failure?: CatalogEntry;
}

export interface SignedWebhook {
  body: string;
  headers: Record<string, string>;
}

export interface WebhookSecrets {
  metaAppSecret: string;
  twilioAuthToken: string;
}

// Meta sends the WhatsApp Business Account id and the display number; the sandbox has neither,
// and receivers route on metadata.phone_number_id.
export const SANDBOX_WABA_ID = '100000000000001';
export const SANDBOX_DISPLAY_PHONE_NUMBER = '15550000000';
const ERROR_CODES_HREF =
  'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/';

export function buildStatusWebhook(
  context: DeliveryContext,
  status: string,
  url: string,
  secrets: WebhookSecrets,
  now = Date.now(),
): SignedWebhook {
  switch (context.channel) {
    case 'whatsapp':
      return signMeta(whatsappStatus(context, status, now), secrets.metaAppSecret);
    case 'messenger':
      return signMeta(messengerStatus(context, status, now), secrets.metaAppSecret);
    case 'sms':
      return twilioStatus(context, status, url, secrets.twilioAuthToken, now);
  }
}

function signMeta(payload: unknown, appSecret: string): SignedWebhook {
  const body = metaJson(payload);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': metaSignature(appSecret, body),
    },
  };
}

function whatsappStatus(context: DeliveryContext, status: string, now: number): unknown {
  const entry: Record<string, unknown> = {
    id: context.id,
    status,
    timestamp: String(Math.floor(now / 1000)),
    recipient_id: context.to,
  };
  if (status === 'failed' && context.failure !== undefined) {
    const title = context.failure.message.replace(/^\(#\d+\)\s*/, '');
    entry.errors = [
      {
        code: context.failure.code,
        title,
        message: title,
        error_data: { details: context.failure.details ?? title },
        href: ERROR_CODES_HREF,
      },
    ];
  }
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: SANDBOX_WABA_ID,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: SANDBOX_DISPLAY_PHONE_NUMBER,
                phone_number_id: context.account,
              },
              statuses: [entry],
            },
          },
        ],
      },
    ],
  };
}

function messengerStatus(context: DeliveryContext, status: string, now: number): unknown {
  const event: Record<string, unknown> = {
    sender: { id: context.psid ?? context.to },
    recipient: { id: context.account },
    timestamp: now,
  };
  if (status === 'read') event.read = { watermark: now };
  else event.delivery = { mids: [context.id], watermark: now };
  return { object: 'page', entry: [{ id: context.account, time: now, messaging: [event] }] };
}

function twilioStatus(
  context: DeliveryContext,
  status: string,
  url: string,
  authToken: string,
  now: number,
): SignedWebhook {
  const params: Record<string, string> = {
    AccountSid: context.account,
    ApiVersion: '2010-04-01',
    MessageSid: context.id,
    MessageStatus: status,
    SmsSid: context.id,
    SmsStatus: status,
    To: context.to,
  };
  if (context.from) params.From = context.from;
  if (context.messagingServiceSid) params.MessagingServiceSid = context.messagingServiceSid;
  if (context.failure !== undefined && (status === 'failed' || status === 'undelivered')) {
    params.ErrorCode = String(context.failure.code);
  }
  if (status === 'delivered') params.RawDlrDoneDate = dlrDate(now);
  return {
    body: new URLSearchParams(params).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(authToken, url, params),
    },
  };
}

/** Carrier delivery-report time, YYMMDDhhmm in UTC. */
function dlrDate(now: number): string {
  const iso = new Date(now).toISOString(); // 2024-05-01T12:34:56.000Z
  return (
    iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16)
  );
}
