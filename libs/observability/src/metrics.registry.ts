// One Prometheus registry per Nest application (not prom-client's global one): the all-in-one
// mode hosts several services in one process, and each must expose its own series.
import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const METRICS_SERVICE = Symbol('METRICS_SERVICE');

@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter<string>>();
  private readonly gauges = new Map<string, Gauge<string>>();
  private readonly histograms = new Map<string, Histogram<string>>();

  constructor(service: string, defaults = true) {
    this.registry.setDefaultLabels({ service });
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'herald_' });
  }

  counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
    let metric = this.counters.get(name);
    if (!metric)
      this.counters.set(
        name,
        (metric = new Counter({ name, help, labelNames, registers: [this.registry] })),
      );
    return metric;
  }

  gauge(name: string, help: string, labelNames: string[] = []): Gauge<string> {
    let metric = this.gauges.get(name);
    if (!metric)
      this.gauges.set(
        name,
        (metric = new Gauge({ name, help, labelNames, registers: [this.registry] })),
      );
    return metric;
  }

  histogram(
    name: string,
    help: string,
    labelNames: string[] = [],
    buckets?: number[],
  ): Histogram<string> {
    let metric = this.histograms.get(name);
    if (!metric) {
      metric = new Histogram({
        name,
        help,
        labelNames,
        registers: [this.registry],
        ...(buckets ? { buckets } : {}),
      });
      this.histograms.set(name, metric);
    }
    return metric;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
