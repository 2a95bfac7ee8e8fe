import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { Channel } from '@herald/contracts';

/** A bot's provider account on one channel. `credentials` is sealed (AES-256-GCM), never plain. */
@Entity({ name: 'channels' })
export class ChannelEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'bot_id' })
  botId!: string;

  @Column('text')
  type!: Channel;

  /** Non-secret settings: base URL, phone number id / account sid / page id, sender, pacing. */
  @Column('jsonb')
  config!: Record<string, unknown>;

  @Column('text', { name: 'credentials_sealed' })
  credentialsSealed!: string;

  /** Failover order among the bot's accounts of this type: the lowest sends first. */
  @Column('integer', { default: 0 })
  priority!: number;

  @Column('boolean', { default: true })
  enabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
