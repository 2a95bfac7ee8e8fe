import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { SendWindow } from '@herald/contracts';

/** A bot's delivery policies (issue 13), all optional. */
export interface BotSettings {
  /** ISO 3166 alpha-2 country for phone numbers written in national form ("US", "GB"). */
  defaultCountry?: string;
  /** IANA time zone of contacts whose own zone is unknown ("Europe/Paris"). */
  timezone?: string;
  /** At most `max` broadcast messages per person in `hours`; `singleSends` counts the one-person APIs too. */
  frequencyCap?: { max: number; hours: number; singleSends?: boolean };
  /** Default send window of the bot's broadcasts (a broadcast's own `settings.sendWindow` wins). */
  sendWindow?: SendWindow;
}

@Entity({ name: 'bots' })
export class BotEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  /** Chatfuel-style V1 API rate limit for this bot (requests per second). */
  @Column('integer', { name: 'rate_limit_rps', default: 25 })
  rateLimitRps!: number;

  @Column('jsonb', { default: () => "'{}'::jsonb" })
  settings!: BotSettings;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
