// What an operator watches on a delivery service: outcomes by channel and status, each provider
// account's breaker, how long pacing holds sends back, and sends waiting for recording. A no-op
// without a registry.
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { Channel, DeliveryResult } from '@herald/contracts';
import type { MetricsRegistry } from '@herald/observability';

export const BREAKER_STATES = { closed: 0, halfOpen: 1, open: 2 } as const;
export type BreakerState = keyof typeof BREAKER_STATES;

const PACING_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10];
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 30, 40, 50];

export class DeliveryMetrics {
  private readonly deliveries?: Counter<string>;
  private readonly breaker?: Gauge<string>;
  private readonly pacing?: Histogram<string>;
  private readonly missingVariables?: Counter<string>;
  private readonly recordRetries?: Counter<string>;
  private readonly unrecordedWaits?: Counter<string>;
  private readonly graphBatch?: Histogram<string>;
  private readonly parkedPeople?: Counter<string>;

  constructor(
    private readonly channel: Channel,
    registry?: MetricsRegistry,
  ) {
    this.deliveries = registry?.counter(
      'herald_deliveries_total',
      'Delivery outcomes published, by channel and status',
      ['channel', 'status'],
    );
    this.breaker = registry?.gauge(
      'herald_breaker_state',
      'Provider breaker per account: 0 closed, 1 half-open, 2 open',
      ['channel', 'account'],
    );
    this.pacing = registry?.histogram(
      'herald_pacing_wait_seconds',
      'How long pacing held a send back',
      ['channel'],
      PACING_BUCKETS,
    );
    this.missingVariables = registry?.counter(
      'herald_render_missing_variables_total',
      'Placeholders rendered empty because the person has no such variable',
      ['channel'],
    );
    this.recordRetries = registry?.counter(
      'herald_delivery_record_retries_total',
      'Tries at recording delivery outcomes that failed and were tried again (the database was unavailable)',
      ['channel'],
    );
    this.unrecordedWaits = registry?.counter(
      'herald_delivery_unrecorded_waits_total',
      'Provider calls that waited because DELIVERY_MAX_UNRECORDED people were sent and not yet recorded',
      ['channel'],
    );
    this.parkedPeople = registry?.counter(
      'herald_delivery_parked_total',
      "People parked behind their account's pacing queue (DELIVERY_PARK_AFTER_MS) or its open breaker, sent when their turn comes",
      ['channel'],
    );
    this.graphBatch = registry?.histogram(
      'herald_graph_batch_operations',
      'Sends carried by each Graph API request (1: a plain request; more: a batch request)',
      ['channel'],
      BATCH_BUCKETS,
    );
  }

  /** Counts per person, whatever records the results travel in. */
  published(results: ReadonlyArray<Pick<DeliveryResult, 'status'>>): void {
    for (const { status } of results) this.deliveries?.inc({ channel: this.channel, status });
  }

  breakerState(account: string, state: BreakerState): void {
    this.breaker?.set({ channel: this.channel, account }, BREAKER_STATES[state]);
  }

  /** Placeholders of one person's messages that had no value (they render empty). */
  missing(count: number): void {
    if (count > 0) this.missingVariables?.inc({ channel: this.channel }, count);
  }

  /** A try at recording outcomes failed and is tried again. */
  recordRetried(): void {
    this.recordRetries?.inc({ channel: this.channel });
  }

  /** A provider call waits: DELIVERY_MAX_UNRECORDED people are sent and not yet recorded. */
  unrecordedWait(): void {
    this.unrecordedWaits?.inc({ channel: this.channel });
  }

  /** One Graph API request went out carrying `operations` sends. */
  graphRequest(operations: number): void {
    this.graphBatch?.observe({ channel: this.channel }, operations);
  }

  /** A person was parked behind their account's pacing queue. */
  parked(): void {
    this.parkedPeople?.inc({ channel: this.channel });
  }

  paced(waitMs: number): void {
    this.pacing?.observe({ channel: this.channel }, waitMs / 1000);
  }
}
