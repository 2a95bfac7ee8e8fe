import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'bots' })
export class BotEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  /** Chatfuel-style V1 API rate limit for this bot (requests per second). */
  @Column('integer', { name: 'rate_limit_rps', default: 25 })
  rateLimitRps!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
