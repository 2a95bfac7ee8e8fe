import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { Message } from '@herald/contracts';

/** Named content that the APIs refer to by id or name. */
@Entity({ name: 'blocks' })
export class BlockEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'bot_id' })
  botId!: string;

  @Column('text')
  name!: string;

  @Column('jsonb')
  messages!: Message[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
