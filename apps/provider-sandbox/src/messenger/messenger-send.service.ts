// Messenger Send API: faults, token, validation, then record and answer like Graph does.
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { ProviderReply } from '../channel.js';
import { StatusCallbackService } from '../callbacks/status-callback.service.js';
import { INVALID_TOKEN_MESSAGE, messengerError } from '../common/graph-error.js';
import { FaultInjectorService } from '../faults/fault-injector.service.js';
import { OUTAGE, TRANSIENT, type CatalogEntry } from '../faults/provider-error.catalog.js';
import { MessageLogService } from '../log/message-log.service.js';
import { SandboxConfig } from '../sandbox.config.js';
import { parseMessengerSend, type MessengerSend } from './messenger-send.validator.js';

export interface MessengerSendRequest {
  /** From /{version}/{page-id}/messages; /me/messages sends as the configured Page. */
  pageId?: string;
  token: string | undefined;
  body: unknown;
}

@Injectable()
export class MessengerSendService {
  constructor(
    private readonly log: MessageLogService,
    private readonly faults: FaultInjectorService,
    private readonly callbacks: StatusCallbackService,
    private readonly config: SandboxConfig,
  ) {}

  async send(request: MessengerSendRequest): Promise<ProviderReply> {
    const faults = this.faults.active('messenger');
    if (faults !== undefined) {
      await this.faults.delay(faults);
      if (this.faults.down(faults, request.pageId ?? this.config.messengerPageId))
        return this.faulted(OUTAGE.messenger);
    }
    if (this.faults.refused(faults, request.pageId ?? this.config.messengerPageId))
      return this.faulted({ status: 400, code: 190, message: INVALID_TOKEN_MESSAGE });
    if (!request.token) {
      return messengerError({ status: 400, code: 190, message: INVALID_TOKEN_MESSAGE });
    }
    const parsed = parseMessengerSend(request.body);
    if (!parsed.ok) return parsed.reply;
    const send = parsed.value;
    const recipientId = responseRecipientId(send);
    if (send.senderAction) return { status: 200, body: recipientBody(recipientId) };

    if (faults !== undefined) {
      const verdict = this.faults.judge(faults, send.recipient, send.tagged);
      if (verdict === 'transient') return this.faulted(TRANSIENT.messenger);
      // Messenger has no failure webhooks, so its forced errors are always synchronous.
      if (verdict !== undefined) return this.faulted(verdict.entry);
    }

    const pageId = request.pageId ?? this.config.messengerPageId;
    const { id } = this.log.append({
      channel: 'messenger',
      account: pageId,
      to: send.recipient,
      type: send.type,
      text: send.text,
      data: send.data,
    });
    if (this.callbacks.wants('messenger')) {
      this.callbacks.enqueue({
        channel: 'messenger',
        id,
        account: pageId,
        to: send.recipient,
        psid: recipientId ?? pseudoPsid(send.recipient),
      });
    }
    return { status: 200, body: { ...recipientBody(recipientId), message_id: id } };
  }

  private faulted(
    error: Pick<CatalogEntry, 'status' | 'code' | 'message' | 'subcode'>,
  ): ProviderReply {
    this.log.countFault('messenger');
    return messengerError(error);
  }
}

/**
 * Graph answers with the PSID, which it knows even for token recipients; the sandbox derives a
 * stable one from the token. user_ref and phone_number sends get no recipient_id.
 */
function responseRecipientId(send: MessengerSend): string | undefined {
  switch (send.recipientKind) {
    case 'id':
      return send.recipient;
    case 'notification_messages_token':
    case 'one_time_notif_token':
      return pseudoPsid(send.recipient);
    default:
      return undefined;
  }
}

function recipientBody(recipientId: string | undefined): Record<string, string> {
  return recipientId === undefined ? {} : { recipient_id: recipientId };
}

/** A 16-digit page-scoped id that is always the same for the same token or reference. */
export function pseudoPsid(value: string): string {
  const hash = createHash('sha256').update(value).digest();
  const number = hash.readBigUInt64BE(0) % 9_000_000_000_000_000n;
  return (1_000_000_000_000_000n + number).toString();
}
