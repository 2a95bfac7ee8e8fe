import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Channel } from '@herald/contracts';

/** A person on one channel of one bot (a conversation). Custom variables live in JSONB. */
@Entity({ name: 'contacts' })
export class ContactEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'bot_id' })
  botId!: string;

  @Column('text')
  channel!: Channel;

  @Column('text', { name: 'user_id' })
  userId!: string;

  @Column('text', { nullable: true })
  phone!: string | null;

  @Column('text', { nullable: true })
  email!: string | null;

  @Column('text', { nullable: true })
  fbid!: string | null;

  @Column('jsonb', { default: () => "'{}'::jsonb" })
  variables!: Record<string, string>;

  @Column('timestamptz', { name: 'first_seen' })
  firstSeen!: Date;

  @Column('timestamptz', { name: 'last_seen' })
  lastSeen!: Date;

  @Column('timestamptz', { name: 'last_inbound_at', nullable: true })
  lastInboundAt!: Date | null;

  @Column('timestamptz', { name: 'opted_out_at', nullable: true })
  optedOutAt!: Date | null;
}

/**
 * A contact as a send needs it: what addresses and personalises the message, and what decides
 * whether it may go (opted out, the last inbound for WhatsApp's window). The audience path reads
 * these columns only: first and last seen are dates the driver would parse for every person.
 */
export type ContactToReach = Omit<ContactEntity, 'firstSeen' | 'lastSeen'>;
