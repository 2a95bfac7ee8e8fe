// Twilio webhooks (form-encoded): a status callback (MessageStatus) becomes a delivery status;
// an incoming message (SmsStatus=received) means the person wrote, and a message that is only
// an opt-out or opt-in keyword (Twilio's defaults) opts them out or back in.
import type { ContactInbound, DeliveryStatusReport } from '@herald/contracts';
import { HeraldError } from '@herald/errors';
import { clip, textAt, type WebhookEvents } from './webhook-events.js';

const OPT_OUT = new Set([
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'REVOKE',
  'OPTOUT',
]);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);
const STATUS: Record<string, DeliveryStatusReport['status']> = {
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
  undelivered: 'failed',
};

/** Only a message that is exactly one keyword counts ("STOP PLEASE" does not), in any case. */
export function keywordOf(body: string): ContactInbound['keyword'] {
  const word = body.trim().toUpperCase();
  if (OPT_OUT.has(word)) return 'opt_out';
  if (OPT_IN.has(word)) return 'opt_in';
  return undefined;
}

export function parseTwilioWebhook(
  params: ReadonlyArray<[string, string]>,
  now = Date.now(),
): WebhookEvents {
  const form = new Map<string, string>();
  for (const [name, value] of params) if (!form.has(name)) form.set(name, value);
  const at = new Date(now).toISOString();
  const account = textAt(form.get('AccountSid'), 'AccountSid', 128);
  const messageSid = textAt(form.get('MessageSid') ?? form.get('SmsSid'), 'MessageSid');
  const smsStatus = form.get('SmsStatus');
  const messageStatus = form.get('MessageStatus');

  if (smsStatus === 'received' || (messageStatus === undefined && form.has('Body'))) {
    const body = form.get('Body') ?? '';
    const keyword = keywordOf(body);
    const service = form.get('MessagingServiceSid');
    return {
      statuses: [],
      inbound: [
        {
          channel: 'sms',
          account,
          sender: textAt(form.get('From'), 'From'),
          messageId: messageSid,
          ...(form.get('To') ? { to: textAt(form.get('To'), 'To', 64) } : {}),
          ...(service ? { messagingServiceSid: textAt(service, 'MessagingServiceSid', 64) } : {}),
          ...(keyword ? { keyword } : {}),
          at,
        },
      ],
    };
  }
  if (messageStatus === undefined)
    throw HeraldError.invalid(
      'MessageStatus',
      'a Twilio webhook needs MessageStatus (status callback) or Body (incoming message)',
    );
  const status = STATUS[messageStatus];
  if (!status) return { statuses: [], inbound: [] }; // queued, sending, sent, …: nothing new to record
  const code = form.get('ErrorCode');
  const message = form.get('ErrorMessage');
  return {
    statuses: [
      {
        channel: 'sms',
        account,
        recipient: textAt(form.get('To'), 'To'),
        status,
        providerMessageId: messageSid,
        at,
        ...(code ? { code: clip(code, 64) } : {}),
        ...(status === 'failed'
          ? {
              reason: clip(
                message ??
                  `Twilio reported the message ${messageStatus}${code ? ` (error ${code})` : ''}`,
                1024,
              ),
            }
          : {}),
      },
    ],
    inbound: [],
  };
}
