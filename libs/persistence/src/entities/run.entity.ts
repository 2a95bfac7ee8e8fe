import { Column, Entity, PrimaryColumn } from 'typeorm';

export const RUN_STATUSES = [
  'scheduled',
  'resolving',
  'delivering',
  'completed',
  'failed',
  'cancelled',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One execution of a broadcast. Its id is the runId of every event of the run. */
@Entity({ name: 'runs' })
export class RunEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'bot_id' })
  botId!: string;

  @Column('uuid', { name: 'broadcast_id', nullable: true })
  broadcastId!: string | null;

  @Column('text')
  source!: string;

  @Column('text')
  status!: RunStatus;

  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'scheduled_for' })
  scheduledFor!: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  /** The request that started the run, kept so a scheduled run can start later. */
  @Column('jsonb', { nullable: true })
  request!: unknown;

  /** Where keyset resolution resumes (the last contact id of the last emitted page). */
  @Column('text', { name: 'resume_cursor', nullable: true })
  resumeCursor!: string | null;

  /** Pages of targets emitted so far: resolution resumes after the last one. */
  @Column('integer', { name: 'pages_emitted', default: 0 })
  pagesEmitted!: number;

  @Column('boolean', { name: 'resolution_done', default: false })
  resolutionDone!: boolean;

  /** The deployment (HERALD_TOPIC_PREFIX) whose audience instances may claim the run. */
  @Column('text', { name: 'topic_prefix', default: '' })
  topicPrefix!: string;

  /** W3C trace context of the request: the run's pages continue its trace. */
  @Column('text', { nullable: true })
  traceparent!: string | null;

  /** When an audience instance first started resolving the run (a delayed run: when it fired). */
  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt!: Date | null;

  /** The audience instance resolving the run, and until when its lease holds. */
  @Column('text', { nullable: true })
  resolver!: string | null;

  @Column('timestamptz', { name: 'lease_until', nullable: true })
  leaseUntil!: Date | null;

  /** A page written ahead of its publish: on resume, Kafka is asked whether it arrived. */
  @Column('integer', { name: 'pending_page', nullable: true })
  pendingPage!: number | null;

  @Column('text', { name: 'pending_cursor', nullable: true })
  pendingCursor!: string | null;

  @Column('integer', { name: 'pending_targeted', nullable: true })
  pendingTargeted!: number | null;

  @Column('timestamptz', { name: 'pending_since', nullable: true })
  pendingSince!: Date | null;

  @Column('integer', { default: 0 }) targeted!: number;
  @Column('integer', { default: 0 }) sent!: number;
  @Column('integer', { default: 0 }) delivered!: number;
  @Column('integer', { default: 0 }) read!: number;
  @Column('integer', { default: 0 }) failed!: number;
  @Column('integer', { default: 0 }) skipped!: number;
}
