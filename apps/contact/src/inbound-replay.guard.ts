// Webhooks arrive more than once (provider retries, replays): a message whose provider id was
// applied before changes nothing, and a keyword older than the sender's latest applied one
// (an old START after a newer STOP) is not applied; the message still counts as the person
// writing. Times are the provider's own where it sends one (WhatsApp, Messenger).
import { Injectable, Logger } from '@nestjs/common';
import type { ContactInbound } from '@herald/contracts';
import { InboundReceiptRepository, type InboundReceipt } from '@herald/persistence';

/** Plain receipts are kept this long; keyword receipts stay (they order late keywords). */
const RETENTION_MS = 30 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

const receiptOf = (event: ContactInbound): InboundReceipt => ({
  channel: event.channel,
  account: event.account,
  sender: event.sender,
  at: new Date(event.at),
  ...(event.messageId ? { messageId: event.messageId } : {}),
  ...(event.keyword ? { keyword: event.keyword } : {}),
});

@Injectable()
export class InboundReplayGuard {
  private readonly logger = new Logger(InboundReplayGuard.name);
  private lastPrune = 0;

  constructor(private readonly receipts: InboundReceiptRepository) {}

  /** The events to apply: replays dropped, keywords older than the sender's latest stripped. */
  async fresh(events: ContactInbound[]): Promise<ContactInbound[]> {
    await this.pruneNowAndThen();
    const checks = await this.receipts.check(events.map(receiptOf));
    const inBatch = new Set<string>();
    const fresh: ContactInbound[] = [];
    let replays = 0;
    for (const [i, event] of events.entries()) {
      const check = checks[i];
      if (event.messageId) {
        const key = [event.channel, event.account, event.messageId].join('\u0000');
        if (check.seen || inBatch.has(key)) {
          replays++;
          continue;
        }
        inBatch.add(key);
      }
      if (event.keyword && check.latestKeywordAt && new Date(event.at) < check.latestKeywordAt) {
        const { keyword: _older, ...rest } = event;
        fresh.push(rest);
        continue;
      }
      fresh.push(event);
    }
    if (replays > 0) this.logger.debug(`${replays} inbound message(s) already applied; ignored`);
    return fresh;
  }

  /** Records what was applied, after it was: a crash in between re-applies the same events, which is harmless. */
  remember(events: ContactInbound[]): Promise<void> {
    return this.receipts.remember(events.map(receiptOf));
  }

  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    await this.receipts.prune(new Date(Date.now() - RETENTION_MS));
  }
}
