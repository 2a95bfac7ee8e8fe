import { Injectable, Logger } from '@nestjs/common';
import { isPhoneChannel, normalizePhone, type ContactInbound } from '@herald/contracts';
import { ContactRepository, type InboundContact } from '@herald/persistence';
import { InboundReplayGuard } from './inbound-replay.guard.js';

/**
 * People writing to a bot (verified provider webhooks, relayed by the gateway): their contact's
 * last inbound time opens the 24-hour window, and an SMS STOP / START opts them out or back in.
 * One statement per batch; several messages of one person fold into their latest.
 */
@Injectable()
export class RecordInboundService {
  private readonly logger = new Logger(RecordInboundService.name);

  constructor(
    private readonly contacts: ContactRepository,
    private readonly replays: InboundReplayGuard,
  ) {}

  async record(received: ContactInbound[]): Promise<void> {
    const events = await this.replays.fresh(received);
    const latest = new Map<string, InboundContact & { keywordAt?: Date }>();
    for (const given of events) {
      const event = this.withE164Sender(given);
      if (!event) continue;
      const key = [
        event.channel,
        event.account,
        event.sender,
        event.to ?? '',
        event.messagingServiceSid ?? '',
        // Events speaking for other bots never fold together (a forged one into a real one).
        event.botIds?.join(',') ?? '*',
      ].join('\u0000');
      const at = new Date(event.at);
      const prev = latest.get(key);
      const folded: InboundContact & { keywordAt?: Date } = prev ?? {
        channel: event.channel,
        account: event.account,
        sender: event.sender,
        ...(event.to ? { to: event.to } : {}),
        ...(event.messagingServiceSid ? { messagingServiceSid: event.messagingServiceSid } : {}),
        ...(event.botIds ? { botIds: event.botIds } : {}),
        at,
      };
      if (at > folded.at) folded.at = at;
      // The latest keyword wins (STOP then START: opted in), whatever was written after it.
      if (event.keyword && (!folded.keywordAt || at >= folded.keywordAt)) {
        folded.keyword = event.keyword;
        folded.keywordAt = at;
      }
      latest.set(key, folded);
    }
    if (latest.size === 0) return;
    const { updated, created } = await this.contacts.recordInbound([...latest.values()]);
    await this.replays.remember(events);
    if (created > 0)
      this.logger.log(
        `${created} people wrote in for the first time; contacts created (${updated} updated)`,
      );
  }

  /** WhatsApp and SMS senders in E.164 (the form contacts are stored in); unusable ones are dropped, logged. */
  private withE164Sender(event: ContactInbound): ContactInbound | undefined {
    if (!isPhoneChannel(event.channel)) return event;
    const phone = normalizePhone(event.sender);
    if ('e164' in phone) return { ...event, sender: phone.e164 };
    this.logger.warn(`inbound ${event.channel} message skipped: sender ${phone.invalid}`);
    return undefined;
  }
}
