import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { deleteInChunks } from './returning.js';
import type { Channel } from '@herald/contracts';

/** One inbound message as its provider account names it. */
export interface InboundReceipt {
  channel: Channel;
  /** WhatsApp phone number id, Twilio AccountSid or Page id: the scope of the message id. */
  account: string;
  sender: string;
  messageId?: string;
  keyword?: 'opt_out' | 'opt_in';
  at: Date;
}

export interface ReceiptCheck {
  /** This message id was applied before. */
  seen: boolean;
  /** The time of the sender's latest keyword applied before, if any. */
  latestKeywordAt: Date | null;
}

/**
 * Inbound messages already applied (inbound_receipts, written by the contact service). Scoped by
 * the provider account the verified webhook named, which is narrower than a bot.
 */
@Injectable()
export class InboundReceiptRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** For each receipt, in order: whether its message id was seen, and the sender's latest keyword time. */
  async check(receipts: InboundReceipt[]): Promise<ReceiptCheck[]> {
    if (receipts.length === 0) return [];
    const rows: Array<{ seen: boolean; keyword_at: Date | null }> = await this.db.query(
      `SELECT EXISTS (SELECT 1 FROM inbound_receipts r
                       WHERE r.channel = x.channel AND r.account = x.account AND r.message_id = x.message_id) AS seen,
              (SELECT max(r.at) FROM inbound_receipts r
                WHERE r.channel = x.channel AND r.account = x.account AND r.sender = x.sender AND r.keyword IS NOT NULL) AS keyword_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS x(channel, account, message_id, sender, idx)
        ORDER BY x.idx`,
      [
        receipts.map((r) => r.channel),
        receipts.map((r) => r.account),
        receipts.map((r) => r.messageId ?? null),
        receipts.map((r) => r.sender),
      ],
    );
    return rows.map((r) => ({
      seen: r.seen,
      latestKeywordAt: r.keyword_at ? new Date(r.keyword_at) : null,
    }));
  }

  /** Records applied messages (those with a message id); one already recorded is left as is. */
  async remember(receipts: InboundReceipt[]): Promise<void> {
    const kept = receipts.filter((r) => r.messageId !== undefined);
    if (kept.length === 0) return;
    await this.db.query(
      `INSERT INTO inbound_receipts (channel, account, message_id, sender, keyword, at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
       ON CONFLICT DO NOTHING`,
      [
        kept.map((r) => r.channel),
        kept.map((r) => r.account),
        kept.map((r) => r.messageId!),
        kept.map((r) => r.sender),
        kept.map((r) => r.keyword ?? null),
        kept.map((r) => r.at),
      ],
    );
  }

  /**
   * Forgets plain messages received before `before`. Keyword receipts are kept: they are few, and
   * they are what orders a late keyword against the newer one.
   */
  prune(before: Date, chunk?: number): Promise<number> {
    return deleteInChunks(
      this.db,
      'inbound_receipts',
      'channel, account, message_id',
      `SELECT channel, account, message_id FROM inbound_receipts
        WHERE keyword IS NULL AND received_at < $1 ORDER BY received_at LIMIT $2`,
      [before],
      chunk,
    );
  }
}
