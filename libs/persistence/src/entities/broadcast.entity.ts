import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Audience, Message, SendWindow } from '@herald/contracts';

export interface BroadcastSettings {
  enabled: boolean;
  directMode: boolean;
  allowGet: boolean;
  allowPost: boolean;
  requireValidFilter: boolean;
  singleContact: boolean;
  legacyMode: boolean;
  allowedHosts: string[];
  executeButton: boolean;
  visibleToMobileOperators: boolean;
  /** When people may be messaged, in their local time (issue 13); the bot's default when absent. */
  sendWindow?: SendWindow;
  /** Channel fallback order (issue 13), e.g. ['whatsapp', 'sms']. */
  fallback?: Array<'whatsapp' | 'sms'>;
}

export const DEFAULT_BROADCAST_SETTINGS: Readonly<BroadcastSettings> = {
  enabled: true,
  directMode: false,
  allowGet: true,
  allowPost: true,
  requireValidFilter: true,
  singleContact: false,
  legacyMode: false,
  allowedHosts: [],
  executeButton: true,
  visibleToMobileOperators: false,
};

export type BroadcastContent = { blockId: string } | { messages: Message[] };

export interface CustomApiRecipients {
  source: 'custom_api';
  endpoint: string;
  /** Sealed (AES-256-GCM): callers' headers often carry their credentials. */
  headersSealed?: string;
}

@Entity({ name: 'broadcasts' })
export class BroadcastEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'bot_id' })
  botId!: string;

  @Column('text')
  name!: string;

  @Column('jsonb')
  content!: BroadcastContent;

  @Column('jsonb', { nullable: true })
  audience!: Audience | null;

  @Column('jsonb', { nullable: true })
  recipients!: CustomApiRecipients | null;

  @Column('jsonb')
  settings!: BroadcastSettings;

  /**
   * The secret part of the launch web hook URL is never stored in plain: its SHA-256 digest
   * finds the broadcast, and the key is sealed (AES-256-GCM) only to show operators their URL
   * (BroadcastRepository.hookKeyOf).
   */
  @Column('text', { name: 'hook_key_digest' })
  hookKeyDigest!: string;

  @Column('text', { name: 'hook_key_sealed' })
  hookKeySealed!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
