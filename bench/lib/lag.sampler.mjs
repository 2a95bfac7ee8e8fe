// Consumer lag per topic over time, for the run's own topic prefix: for each consumer group
// `<prefix>herald-<service>.<topic>` (see libs/kafka's KafkaConnection.groupOf), the sum over
// partitions of the topic's high watermark minus the group's committed offset (the low
// watermark while it has committed nothing: the consumers start from the beginning). Queues
// build up in front of the slowest stage, so the topic whose lag grows names the bottleneck.
import { kafkaClient } from './infra.mjs';

/** Splits a group id of the run into { consumer, topic } (logical topic), or null. */
export function parseGroup(groupId, prefix) {
  if (!groupId.startsWith(prefix)) return null;
  const rest = groupId.slice(prefix.length);
  const dot = rest.indexOf('.');
  if (!rest.startsWith('herald-') || dot < 0) return null;
  return { consumer: rest.slice('herald-'.length, dot), topic: rest.slice(dot + 1) };
}

/** Starts sampling; stop() resolves to { series: [{ t, lag: {topic: n}, produced: {topic: n} }], topics: {...}, errors }. */
export function startLagSampler({ brokers, prefix, intervalMs = 2_000, t0 = Date.now() }) {
  const admin = kafkaClient(brokers, 'herald-bench-lag').admin();
  const series = [];
  const consumers = {};
  let errors = 0;
  let stopped = false;

  const sampleOnce = async () => {
    const groups = (await admin.listGroups()).groups
      .map((g) => parseGroup(g.groupId, prefix) && g.groupId)
      .filter(Boolean);
    const watermarks = new Map();
    const point = { t: (Date.now() - t0) / 1000, lag: {}, produced: {} };
    await Promise.all(
      groups.map(async (groupId) => {
        const { consumer, topic } = parseGroup(groupId, prefix);
        const physical = prefix + topic;
        if (!watermarks.has(physical)) watermarks.set(physical, admin.fetchTopicOffsets(physical));
        const [marks, committed] = await Promise.all([
          watermarks.get(physical),
          admin.fetchOffsets({ groupId, topics: [physical] }),
        ]);
        const done = new Map(
          (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
        );
        let lag = 0;
        let produced = 0;
        for (const p of marks) {
          const high = Number(p.high);
          const low = Number(p.low);
          const at = done.get(p.partition);
          lag += Math.max(0, high - (at !== undefined && at >= 0 ? at : low));
          produced += high;
        }
        consumers[topic] = consumer;
        point.lag[topic] = lag;
        point.produced[topic] = produced;
      }),
    );
    series.push(point);
  };

  const loop = (async () => {
    await admin.connect();
    while (!stopped) {
      const started = Date.now();
      try {
        await sampleOnce();
      } catch {
        errors++; // a group rebalancing or a topic being created: the next sample will do
      }
      const wait = intervalMs - (Date.now() - started);
      if (wait > 0 && !stopped) await new Promise((r) => setTimeout(r, wait));
    }
  })();

  return {
    async stop() {
      stopped = true;
      await loop.catch(() => {});
      try {
        await sampleOnce();
      } catch {
        errors++;
      }
      await admin.disconnect().catch(() => {});
      return { series, topics: summarize(series, consumers), errors };
    },
  };
}

/** Per topic: its consumer, peak lag and when, and the lag's area (record·seconds waiting). */
function summarize(series, consumers) {
  const topics = {};
  for (let i = 0; i < series.length; i++) {
    const point = series[i];
    const dt = i > 0 ? point.t - series[i - 1].t : 0;
    for (const [topic, lag] of Object.entries(point.lag)) {
      const entry = (topics[topic] ??= {
        consumer: consumers[topic],
        peakLag: 0,
        peakAt: 0,
        lagSeconds: 0,
        produced: 0,
      });
      if (lag > entry.peakLag) {
        entry.peakLag = lag;
        entry.peakAt = point.t;
      }
      entry.lagSeconds += lag * dt;
      entry.produced = Math.max(entry.produced, point.produced[topic] ?? 0);
    }
  }
  for (const entry of Object.values(topics)) entry.lagSeconds = Math.round(entry.lagSeconds);
  return topics;
}
