import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Channel } from '@herald/contracts';

export const DELIVERY_ROW_STATUSES = [
  'pending',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
] as const;
export type DeliveryRowStatus = (typeof DELIVERY_ROW_STATUSES)[number];

/** One person's message in one run; unique per (run, contact), claimed before sending. */
@Entity({ name: 'deliveries' })
export class DeliveryEntity {
  @PrimaryColumn('uuid', { name: 'run_id' })
  runId!: string;

  @PrimaryColumn('uuid', { name: 'contact_id' })
  contactId!: string;

  @Column('uuid', { name: 'bot_id' })
  botId!: string;

  @Column('text')
  channel!: Channel;

  @Column('text')
  status!: DeliveryRowStatus;

  @Column('integer', { default: 0 })
  attempts!: number;

  @Column('text', { name: 'provider_message_id', nullable: true })
  providerMessageId!: string | null;

  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('text', { nullable: true })
  code!: string | null;

  /** When the provider accepted it (Messenger watermarks compare with this). */
  @Column('timestamptz', { name: 'sent_at', nullable: true })
  sentAt!: Date | null;

  /** SMS: billed segments (GSM-7 / UCS-2). */
  @Column('integer', { nullable: true })
  segments!: number | null;

  /** The channels row (provider account) that sent (provider failover). */
  @Column('uuid', { name: 'account_id', nullable: true })
  accountId!: string | null;

  /** Why earlier accounts did not send, when the send failed over; else null. */
  @Column('text', { nullable: true })
  failover!: string | null;

  /** Channel fallback: the channel this person was sent on instead (this row could not reach them). */
  @Column('text', { name: 'fallback_to', nullable: true })
  fallbackTo!: string | null;

  /** Channel fallback: the channel that could not reach this person, and why. */
  @Column('text', { name: 'fallback_from', nullable: true })
  fallbackFrom!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
