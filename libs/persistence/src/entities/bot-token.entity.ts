import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A bot-level API token. Only its SHA-256 is stored; the token is shown once at creation. */
@Entity({ name: 'bot_tokens' })
export class BotTokenEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'bot_id' })
  botId!: string;

  @Column('text', { nullable: true })
  name!: string | null;

  @Column('text', { name: 'token_hash' })
  tokenHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
