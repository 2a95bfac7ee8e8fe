// WhatsApp Cloud API send: faults, auth, validation, then record and answer like Graph does.
import { Injectable } from '@nestjs/common';
import type { ProviderReply } from '../channel.js';
import { StatusCallbackService } from '../callbacks/status-callback.service.js';
import { INVALID_TOKEN_MESSAGE, whatsappError } from '../common/graph-error.js';
import { FaultInjectorService } from '../faults/fault-injector.service.js';
import { OUTAGE, TRANSIENT, type CatalogEntry } from '../faults/provider-error.catalog.js';
import { MessageLogService } from '../log/message-log.service.js';
import { parseWhatsAppSend } from './whatsapp-send.validator.js';

export interface WhatsAppSendRequest {
  phoneNumberId: string;
  token: string | undefined;
  body: unknown;
}

@Injectable()
export class WhatsAppCloudService {
  constructor(
    private readonly log: MessageLogService,
    private readonly faults: FaultInjectorService,
    private readonly callbacks: StatusCallbackService,
  ) {}

  async send(request: WhatsAppSendRequest): Promise<ProviderReply> {
    const faults = this.faults.active('whatsapp');
    if (faults !== undefined) {
      await this.faults.delay(faults);
      if (this.faults.down(faults, request.phoneNumberId)) return this.faulted(OUTAGE.whatsapp);
    }
    if (this.faults.refused(faults, request.phoneNumberId))
      return this.faulted({ status: 401, code: 190, message: INVALID_TOKEN_MESSAGE });
    if (!request.token) {
      return whatsappError({ status: 401, code: 190, message: INVALID_TOKEN_MESSAGE });
    }
    const parsed = parseWhatsAppSend(request.body);
    if (!parsed.ok) return parsed.reply;
    const send = parsed.value;

    let failure: CatalogEntry | undefined;
    if (faults !== undefined) {
      // A template is what WhatsApp allows outside the 24-hour window, so 131047 spares it.
      const verdict = this.faults.judge(faults, send.waId, send.type === 'template');
      if (verdict === 'transient') return this.faulted(TRANSIENT.whatsapp);
      if (verdict !== undefined && !verdict.async) return this.faulted(verdict.entry);
      failure = verdict?.entry;
    }

    const { id } = this.log.append({
      channel: 'whatsapp',
      account: request.phoneNumberId,
      to: send.waId,
      type: send.type,
      text: send.text,
      data: send.data,
      failCode: failure?.code,
    });
    if (this.callbacks.wants('whatsapp')) {
      this.callbacks.enqueue({
        channel: 'whatsapp',
        id,
        account: request.phoneNumberId,
        to: send.waId,
        failure,
      });
    }
    const message: Record<string, string> = { id };
    if (send.type === 'template') message.message_status = 'accepted';
    return {
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        contacts: [{ input: send.input, wa_id: send.waId }],
        messages: [message],
      },
    };
  }

  private faulted(
    error: Pick<CatalogEntry, 'status' | 'code' | 'message' | 'details'>,
  ): ProviderReply {
    this.log.countFault('whatsapp');
    return whatsappError(error);
  }
}
