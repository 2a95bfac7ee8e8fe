// fan-out: N contacts seeded with COPY, one broadcast to all of them (the admin execute
// endpoint: the broadcast's saved audience), measured at the sandbox: time to first and last
// delivery, deliveries/s over time, each process's peak memory, consumer lag per topic. Then,
// on the same broker and sandbox: Kafka's ProducerPerformance for the same record count and
// size (the broker ceiling) and a bare undici loop (the provider-HTTP ceiling).
import { seedContacts } from '../lib/contacts.seed.mjs';
import { adminClient } from '../lib/herald.admin.mjs';
import { SERVICE_NAMES, startStack } from '../lib/herald.stack.mjs';
import { readFirstRecords } from '../lib/infra.mjs';
import { producerPerformance } from '../lib/kafka-tools.mjs';
import { startLagSampler } from '../lib/lag.sampler.mjs';
import { startMemorySampler } from '../lib/memory.sampler.mjs';
import { providerCeiling } from '../lib/provider.ceiling.mjs';
import { sandboxClient } from '../lib/sandbox.client.mjs';
import { ratio, round } from '../lib/stats.mjs';

export const FAN_OUT_TARGET = {
  contacts: 1_000_000,
  seconds: 120,
  perSec: Math.round(1_000_000 / 120),
};
const POLL_MS = 1_000;

/** Waits for the run's end at the sandbox: everyone delivered and the run completed, a stall, or the deadline. */
async function followRun({
  stack,
  sandbox,
  admin,
  runId,
  contacts,
  t0,
  timeoutS,
  stallS,
  log,
  label,
}) {
  const progress = [];
  const deadline = t0 + timeoutS * 1000;
  let lastChange = Date.now();
  let lastUnique = -1;
  let run = null;
  let deliveredAllAt = null;
  let outcome = 'timeout';
  let lastLog = 0;
  for (;;) {
    stack.assertAlive();
    const stats = await sandbox.stats();
    const now = Date.now();
    progress.push({
      t: (now - t0) / 1000,
      total: stats.total,
      unique: stats.unique,
      duplicates: stats.duplicates,
      byChannel: Object.fromEntries(
        Object.entries(stats.byChannel ?? {}).map(([c, x]) => [c, x.unique]),
      ),
    });
    if (stats.unique !== lastUnique) {
      lastUnique = stats.unique;
      lastChange = now;
    }
    if (stats.unique >= contacts && deliveredAllAt === null) deliveredAllAt = now;
    if (deliveredAllAt !== null || progress.length % 3 === 0)
      run = (await admin.getRun(runId)) ?? run;
    if (deliveredAllAt !== null && run?.status === 'completed') {
      outcome = 'completed';
      break;
    }
    if (['failed', 'cancelled'].includes(run?.status)) {
      outcome = `run ${run.status}${run.reason ? `: ${run.reason}` : ''}`;
      break;
    }
    // After everyone was reached the run gets a little longer to fold in the last results.
    if (deliveredAllAt !== null && now - deliveredAllAt > 60_000) {
      outcome = 'delivered, but the run did not complete within 60 s';
      break;
    }
    if (deliveredAllAt === null && now - lastChange > stallS * 1000) {
      outcome = `stalled: no new delivery for ${stallS} s`;
      break;
    }
    if (now > deadline) break;
    if (now - lastLog > 15_000) {
      lastLog = now;
      log(
        `${label}: ${stats.unique.toLocaleString('en')} of ${contacts.toLocaleString('en')} delivered after ${Math.round((now - t0) / 1000)} s`,
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return { progress, run, outcome };
}

/** Mean size (value + key + headers) of the first records of a topic of the run: what ProducerPerformance sends. */
async function sampleRecordSize(brokers, topic, groupId, want = 200) {
  const sizes = { value: 0, key: 0, headers: 0, count: 0, people: 0 };
  sizes.count = await readFirstRecords(brokers, {
    topic,
    groupId,
    clientId: 'herald-bench-size',
    want,
    onRecord: (message) => {
      sizes.value += message.value?.length ?? 0;
      sizes.people += peopleIn(message.value);
      sizes.key += message.key?.length ?? 0;
      for (const [k, v] of Object.entries(message.headers ?? {}))
        sizes.headers += k.length + (v?.length ?? 0);
    },
  });
  if (sizes.count === 0) return null;
  const mean = (x) => Math.round(x / sizes.count);
  return {
    sampled: sizes.count,
    value: mean(sizes.value),
    key: mean(sizes.key),
    headers: mean(sizes.headers),
    total: mean(sizes.value + sizes.key + sizes.headers),
    /** People per record: delivery.requested.v2 carries many (v1 one). */
    people: Math.round((sizes.people / sizes.count) * 10) / 10,
  };
}

function peopleIn(value) {
  try {
    return JSON.parse(value?.toString() ?? '').recipients?.length ?? 1;
  } catch {
    return 1;
  }
}

/** Drops topics that never had a lag (most retry topics) from the samples: they say nothing and fill the JSON. */
function withoutIdleTopics(lag) {
  const idle = new Set(
    Object.entries(lag.topics)
      .filter(([, t]) => t.peakLag === 0)
      .map(([name]) => name),
  );
  const keep = (record) =>
    Object.fromEntries(Object.entries(record).filter(([name]) => !idle.has(name)));
  return {
    ...lag,
    idleTopics: [...idle].sort(),
    topics: keep(lag.topics),
    series: lag.series.map((p) => ({
      t: round(p.t, 2),
      lag: keep(p.lag),
      produced: keep(p.produced),
    })),
  };
}

/**
 * One fan-out on a fresh stack. `ceilings: false` skips the broker and provider ceilings (the
 * memory scenario's second size). Resolves to the scenario's result object.
 */
export async function fanOut(ctx, { contacts, label = 'fan-out', ceilings = true }) {
  const { args, log } = ctx;
  const prefix = `${ctx.prefixBase}${label}.`;
  const channels = args.channels;
  const stack = await startStack({
    ...ctx.stackOptions,
    label,
    prefix,
    services: SERVICE_NAMES,
    sandbox: true,
    log,
  });
  try {
    const admin = adminClient(stack);
    const sandbox = sandboxClient(stack.sandboxUrl);
    const bot = await admin.setupBot({ name: `Bench ${label} bot`, channels });
    log(
      `${label}: seeding ${contacts.toLocaleString('en')} contacts (${channels.join(', ')}) with COPY`,
    );
    const seed = await seedContacts({
      databaseUrl: stack.databaseUrl,
      botId: bot.botId,
      count: contacts,
      channels,
    });
    log(`${label}: seeded in ${(seed.ms / 1000).toFixed(1)} s; triggering the broadcast`);
    await sandbox.reset();

    const t0 = Date.now();
    const memory = startMemorySampler(() => stack.pids(), { t0 });
    const lag = startLagSampler({ brokers: stack.brokers, prefix, t0 });
    let followed;
    let runId;
    let acceptedAt;
    let mem;
    let lagResult;
    try {
      ({ runId } = await admin.runBroadcast(bot.broadcastId));
      acceptedAt = Date.now();
      const timeoutS = args.fanoutTimeout ?? Math.min(1800, 120 + Math.ceil(contacts / 500));
      followed = await followRun({
        stack,
        sandbox,
        admin,
        runId,
        contacts,
        t0,
        timeoutS,
        stallS: args.stall,
        log,
        label,
      });
    } finally {
      mem = await memory.stop();
      lagResult = await lag.stop();
    }
    const stats = await sandbox.stats();
    const firstMs = stats.firstAt ? Date.parse(stats.firstAt) - t0 : null;
    const lastMs = stats.lastAt ? Date.parse(stats.lastAt) - t0 : null;
    const deliveredAll = stats.unique >= contacts;
    const spanS =
      firstMs !== null && lastMs !== null ? Math.max(0.001, (lastMs - firstMs) / 1000) : null;
    const result = {
      contacts,
      channels,
      // Targets per target.resolved event (the audience service's AUDIENCE_PAGE_SIZE).
      pageSize: Number(process.env.AUDIENCE_PAGE_SIZE ?? 500),
      pacing: bot.pacing,
      seed,
      runId,
      outcome: followed.outcome,
      complete: followed.outcome === 'completed' && deliveredAll && stats.duplicates === 0,
      triggerAcceptedMs: acceptedAt - t0,
      firstDeliveryMs: firstMs,
      lastDeliveryMs: lastMs,
      deliveriesPerSec: spanS ? round(stats.unique / spanS) : null,
      endToEndPerSec: lastMs ? round(stats.unique / (lastMs / 1000)) : null,
      sandbox: {
        total: stats.total,
        unique: stats.unique,
        duplicates: stats.duplicates,
        byChannel: stats.byChannel,
      },
      run: followed.run
        ? {
            status: followed.run.status,
            counts: followed.run.counts,
            finishedAt: followed.run.finishedAt,
          }
        : null,
      runCompletedMs: followed.run?.finishedAt ? Date.parse(followed.run.finishedAt) - t0 : null,
      // One row per sandbox poll: seconds since the run request, unique deliveries, then per channel.
      progressColumns: ['t', 'unique', ...channels],
      progress: followed.progress.map((p) => [
        round(p.t, 2),
        p.unique,
        ...channels.map((c) => p.byChannel[c] ?? 0),
      ]),
      memory: mem,
      lag: withoutIdleTopics(lagResult),
      target: FAN_OUT_TARGET,
    };
    if (contacts === FAN_OUT_TARGET.contacts)
      result.meetsTarget =
        result.complete && lastMs !== null && lastMs / 1000 <= FAN_OUT_TARGET.seconds;
    else
      result.meetsTargetRate =
        result.endToEndPerSec !== null && result.endToEndPerSec >= FAN_OUT_TARGET.perSec;
    log(
      `${label}: ${followed.outcome}; ${stats.unique.toLocaleString('en')} unique, ${stats.duplicates} duplicates; ` +
        `first ${firstMs} ms, last ${lastMs} ms after the trigger (${result.endToEndPerSec}/s end to end)`,
    );

    if (ceilings) {
      const size = await sampleRecordSize(
        stack.brokers,
        `${prefix}delivery.requested.${channels[0]}.v2`,
        `${prefix}bench-record-size`,
      ).catch(() => null);
      const recordSize = size?.total ?? 600;
      // The broker's ceiling in people a second: records of the run's own size and people each.
      const perRecord = size?.people ?? 1;
      const records = Math.ceil(contacts / perRecord);
      log(
        `${label}: broker ceiling: ProducerPerformance, ${records.toLocaleString('en')} records of ${recordSize} B (${perRecord} people each)`,
      );
      const broker = await producerPerformance({
        libDir: ctx.kafkaLibDir,
        brokers: stack.brokers,
        topic: `${prefix}bench.producer-performance`,
        records,
        recordSize,
        partitions: ctx.topicPartitions,
      }).catch((err) => ({ error: err.message }));
      const concurrency = 64 * channels.length;
      log(
        `${label}: provider-HTTP ceiling: undici loop, ${concurrency} in flight, up to ${args.ceilingDuration} s`,
      );
      await sandbox.reset();
      const provider = await providerCeiling({
        sandboxUrl: stack.sandboxUrl,
        channels,
        concurrency,
        durationS: args.ceilingDuration,
        maxRequests: contacts,
      }).catch((err) => ({ error: err.message }));
      await sandbox.reset();
      result.recordSize = size;
      result.ceilings = { broker, provider };
      result.ratio = {
        vsBroker: ratio(result.deliveriesPerSec, (broker.recordsPerSec ?? 0) * perRecord),
        vsProvider: ratio(result.deliveriesPerSec, provider.perSec),
      };
      log(
        `${label}: broker ${broker.recordsPerSec ?? broker.error} records/s, provider ${provider.perSec ?? provider.error} sends/s`,
      );
    }
    return result;
  } finally {
    await stack.stop();
  }
}
