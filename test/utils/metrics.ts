// Reading a Nest app's own Prometheus counters in a test (apps of a stack run in the test's process).
import type { INestApplication } from '@nestjs/common';
import { MetricsRegistry } from '@herald/observability';

/** The app's counter `metric`, summed over the series whose labels include `labels` (0 if none). */
export async function counterSum(
  app: INestApplication,
  metric: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const counter = await app.get(MetricsRegistry).registry.getSingleMetric(metric)?.get();
  return (counter?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((n, v) => n + v.value, 0);
}
