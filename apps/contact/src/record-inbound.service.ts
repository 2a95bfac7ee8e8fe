import { Injectable, Logger } from '@nestjs/common';
import type { ContactInbound } from '@herald/contracts';
import { ContactRepository, type InboundContact } from '@herald/persistence';

/**
 * People writing to a bot (verified provider webhooks, relayed by the gateway): their contact's
 * last inbound time opens the 24-hour window, and an SMS STOP / START opts them out or back in.
 * One statement per batch; several messages of one person fold into their latest.
 */
@Injectable()
export class RecordInboundService {
  private readonly logger = new Logger(RecordInboundService.name);

  constructor(private readonly contacts: ContactRepository) {}

  async record(events: ContactInbound[]): Promise<void> {
    const latest = new Map<string, InboundContact & { keywordAt?: Date }>();
    for (const event of events) {
      const key = [
        event.channel,
        event.account,
        event.sender,
        event.to ?? '',
        event.messagingServiceSid ?? '',
      ].join('\u0000');
      const at = new Date(event.at);
      const prev = latest.get(key);
      const folded: InboundContact & { keywordAt?: Date } = prev ?? {
        channel: event.channel,
        account: event.account,
        sender: event.sender,
        ...(event.to ? { to: event.to } : {}),
        ...(event.messagingServiceSid ? { messagingServiceSid: event.messagingServiceSid } : {}),
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
    const { updated, created } = await this.contacts.recordInbound([...latest.values()]);
    if (created > 0)
      this.logger.log(
        `${created} people wrote in for the first time; contacts created (${updated} updated)`,
      );
  }
}
