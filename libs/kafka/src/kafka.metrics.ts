import { Injectable, Optional } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import { MetricsRegistry } from '@herald/observability';

/** `paused`: a dependency was down, the records wait without spending attempts. */
export type ConsumeOutcome = 'handled' | 'dead_lettered' | 'retried' | 'paused' | 'handed_back';

/** Events produced and consumed per topic, and consumer lag; a no-op without a registry. */
@Injectable()
export class KafkaMetrics {
  private readonly producedTotal?: Counter<string>;
  private readonly consumedTotal?: Counter<string>;
  private readonly lagGauge?: Gauge<string>;

  constructor(@Optional() registry?: MetricsRegistry) {
    this.producedTotal = registry?.counter(
      'herald_kafka_events_produced_total',
      'Events acknowledged by Kafka',
      ['topic'],
    );
    this.consumedTotal = registry?.counter(
      'herald_kafka_events_consumed_total',
      'Events consumed, by outcome',
      ['topic', 'outcome'],
    );
    this.lagGauge = registry?.gauge(
      'herald_kafka_consumer_lag',
      'Messages behind the partition end after the last batch',
      ['topic', 'partition'],
    );
  }

  produced(topic: string, count: number): void {
    this.producedTotal?.inc({ topic }, count);
  }

  consumed(topic: string, outcome: ConsumeOutcome, count: number): void {
    if (count > 0) this.consumedTotal?.inc({ topic, outcome }, count);
  }

  lag(topic: string, partition: number, lag: number): void {
    this.lagGauge?.set({ topic, partition: String(partition) }, Math.max(0, lag));
  }
}
