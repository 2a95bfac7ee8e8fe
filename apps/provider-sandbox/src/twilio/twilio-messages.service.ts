// Twilio Messages API create: faults, Basic auth, validation, then the 201 Message resource.
import { Injectable } from '@nestjs/common';
import type { ProviderReply } from '../channel.js';
import { StatusCallbackService } from '../callbacks/status-callback.service.js';
import { basicCredentials } from '../common/auth-header.js';
import { twilioError } from '../common/twilio-error.js';
import { FaultInjectorService } from '../faults/fault-injector.service.js';
import { OUTAGE, TRANSIENT, type CatalogEntry } from '../faults/provider-error.catalog.js';
import { MessageLogService } from '../log/message-log.service.js';
import { countSmsSegments } from './sms-segments.js';
import { parseTwilioSend, type TwilioSend } from './twilio-send.validator.js';

export interface TwilioSendRequest {
  accountSid: string;
  authorization: string | undefined;
  params: unknown;
}

@Injectable()
export class TwilioMessagesService {
  constructor(
    private readonly log: MessageLogService,
    private readonly faults: FaultInjectorService,
    private readonly callbacks: StatusCallbackService,
  ) {}

  async send(request: TwilioSendRequest): Promise<ProviderReply> {
    const faults = this.faults.active('sms');
    if (faults !== undefined) {
      await this.faults.delay(faults);
      if (this.faults.down(faults, request.accountSid)) return this.faulted(OUTAGE.sms);
    }
    // The account's credentials are refused (refusedAccounts): counted as a fault.
    if (this.faults.refused(faults, request.accountSid))
      return this.faulted({ status: 401, code: 20003, message: 'Authenticate' });
    const credentials = basicCredentials(request.authorization);
    if (
      credentials === undefined ||
      credentials.username !== request.accountSid ||
      credentials.password === ''
    ) {
      return twilioError(401, 20003, 'Authenticate');
    }
    const parsed = parseTwilioSend(request.params);
    if (!parsed.ok) return parsed.reply;
    const send = parsed.value;

    let failure: CatalogEntry | undefined;
    if (faults !== undefined) {
      const verdict = this.faults.judge(faults, send.to, false);
      if (verdict === 'transient') return this.faulted(TRANSIENT.sms);
      if (verdict !== undefined && !verdict.async) {
        return this.faulted({
          ...verdict.entry,
          message: verdict.entry.message.replace('{to}', send.to),
        });
      }
      failure = verdict?.entry;
    }

    const type =
      send.contentSid !== null ? 'template' : send.mediaUrls.length > 0 ? 'media' : 'text';
    const { id } = this.log.append({
      channel: 'sms',
      account: request.accountSid,
      to: send.to,
      type,
      text: send.body === '' ? null : send.body,
      data: recordData(type, send),
      failCode: failure?.code,
    });
    const statusCallback = send.statusCallback ?? undefined;
    if (this.callbacks.wants('sms', statusCallback)) {
      this.callbacks.enqueue({
        channel: 'sms',
        id,
        account: request.accountSid,
        to: send.to,
        from: send.from,
        messagingServiceSid: send.messagingServiceSid,
        statusCallback,
        failure,
      });
    }
    return { status: 201, body: messageResource(request.accountSid, id, send) };
  }

  private faulted(error: Pick<CatalogEntry, 'status' | 'code' | 'message'>): ProviderReply {
    this.log.countFault('sms');
    return twilioError(error.status, error.code, error.message);
  }
}

function recordData(type: string, send: TwilioSend): string | null {
  if (type === 'template') {
    return JSON.stringify({ contentSid: send.contentSid, contentVariables: send.contentVariables });
  }
  if (type === 'media') return JSON.stringify({ mediaUrl: send.mediaUrls });
  return null;
}

/** The Message resource: counters and price are strings, dates RFC 2822. */
function messageResource(
  accountSid: string,
  sid: string,
  send: TwilioSend,
): Record<string, unknown> {
  const now = rfc2822(new Date());
  const base = `/2010-04-01/Accounts/${accountSid}/Messages/${sid}`;
  return {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body: send.body,
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: send.from,
    messaging_service_sid: send.messagingServiceSid,
    num_media: String(send.mediaUrls.length),
    num_segments: String(countSmsSegments(send.body)),
    price: null,
    price_unit: 'USD',
    sid,
    // Twilio queues a send from a number; a Messaging Service first accepts it, then picks one.
    status: send.messagingServiceSid !== null ? 'accepted' : 'queued',
    subresource_uris: { media: `${base}/Media.json` },
    to: send.to,
    uri: `${base}.json`,
  };
}

/** "Fri, 31 Oct 2014 03:39:29 +0000", as Twilio writes dates. */
function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}
