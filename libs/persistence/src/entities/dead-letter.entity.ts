import { Column, Entity, PrimaryColumn } from 'typeorm';

export const DEAD_LETTER_CLASSES = ['permanent', 'transient', 'invalid'] as const;
export type DeadLetterClass = (typeof DEAD_LETTER_CLASSES)[number];

/**
 * A record a consumer parked in a `.dlq` topic, as the audience's ledger stored it. Written by
 * the audience service; the gateway's admin API only marks it replayed.
 */
@Entity({ name: 'dead_letters' })
export class DeadLetterEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** The deployment (HERALD_TOPIC_PREFIX) whose DLQ held it. */
  @Column('text', { name: 'topic_prefix' })
  topicPrefix!: string;

  /** Contract topic (logical): the record was in `<topic>.dlq`. */
  @Column('text')
  topic!: string;

  @Column('integer', { name: 'dlq_partition' })
  dlqPartition!: number;

  @Column('bigint', { name: 'dlq_offset' })
  dlqOffset!: string;

  /** Logical topic it was consumed from (a retry topic `<topic>.retry.<delay>` maybe). */
  @Column('text', { name: 'source_topic', nullable: true })
  sourceTopic!: string | null;

  @Column('integer', { name: 'source_partition', nullable: true })
  sourcePartition!: number | null;

  @Column('bigint', { name: 'source_offset', nullable: true })
  sourceOffset!: string | null;

  @Column('text', { nullable: true })
  key!: string | null;

  /** The original headers, without the herald_dlq_* ones and without secrets. */
  @Column('jsonb')
  headers!: Record<string, string>;

  /** The value as text (utf8), or base64 when it was not valid UTF-8 text; cut when too large. */
  @Column('text', { nullable: true })
  value!: string | null;

  @Column('text', { name: 'value_encoding' })
  valueEncoding!: 'utf8' | 'base64';

  @Column('integer', { name: 'value_bytes' })
  valueBytes!: number;

  @Column('boolean', { name: 'value_truncated' })
  valueTruncated!: boolean;

  @Column('text', { nullable: true })
  reason!: string | null;

  /** herald_dlq_class as received (permanent, transient, invalid); null when absent. */
  @Column('text', { nullable: true })
  class!: string | null;

  @Column('text', { nullable: true })
  code!: string | null;

  @Column('integer', { nullable: true })
  attempts!: number | null;

  @Column('uuid', { name: 'run_id', nullable: true })
  runId!: string | null;

  @Column('uuid', { name: 'bot_id', nullable: true })
  botId!: string | null;

  /** When the consumer dead-lettered it (herald_dlq_at). */
  @Column('timestamptz', { name: 'dead_at', nullable: true })
  deadAt!: Date | null;

  /** When the ledger stored it. */
  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'replayed_at', nullable: true })
  replayedAt!: Date | null;

  @Column('integer')
  replays!: number;
}
