// Turns a run's results (the JSON written beside it) into a Markdown report with SVG charts:
// every figure next to its limit measured in the same run, the ratio, and the target.
import fs from 'node:fs';
import path from 'node:path';
import { barChart, lineChart } from './chart.svg.mjs';
import { round } from './stats.mjs';

const fmt = (v, digits = 0) =>
  v === null || v === undefined || !Number.isFinite(v)
    ? '—'
    : Number(v).toLocaleString('en', { maximumFractionDigits: digits });
const ms = (v) => (v === null || v === undefined ? '—' : `${fmt(v, 1)} ms`);
const secs = (v) => (v === null || v === undefined ? '—' : `${fmt(v / 1000, 1)} s`);
const times = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '—');
const yes = (v) => (v === true ? 'yes' : v === false ? '**no**' : '—');
const DELIVERY_PATH = /^(target\.resolved|delivery\.requested)/;

/** Rate over a sliding window (seconds) from cumulative [t, count] points. */
export function smoothRate(points, windowS = 5) {
  const out = [];
  let j = 0;
  for (let i = 1; i < points.length; i++) {
    while (j < i && points[i][0] - points[j][0] > windowS) j++;
    const a = points[Math.min(j, i - 1)];
    const dt = points[i][0] - a[0];
    if (dt > 0) out.push([points[i][0], round((points[i][1] - a[1]) / dt)]);
  }
  return out;
}

/**
 * How many contacts one event of a topic stands for: a target.resolved event a page, a
 * delivery.requested.v2 event the mean people per record the run sampled, others one.
 */
function contactsPerEvent(fan, pageSize) {
  return (topic) =>
    topic.startsWith('target.resolved')
      ? pageSize
      : /^delivery\.requested\.[a-z]+\.v2$/.test(topic)
        ? (fan.recordSize?.people ?? 1)
        : 1;
}

/** Which stage held the fan-out back, from the lag per topic (records waiting × seconds). */
export function bottleneckOf(fan, pageSize = fan.pageSize ?? 500) {
  const topics = Object.entries(fan.lag?.topics ?? {});
  if (topics.length === 0) return { text: 'No consumer-lag samples were taken.' };
  const weight = contactsPerEvent(fan, pageSize);
  const path = topics
    .filter(([topic]) => DELIVERY_PATH.test(topic))
    .map(([topic, t]) => ({
      topic,
      ...t,
      weighted: t.lagSeconds * weight(topic),
      peakContacts: t.peakLag * weight(topic),
    }))
    .sort((a, b) => b.weighted - a.weighted);
  const progress = topics.find(([topic]) => topic.startsWith('delivery.result'));
  const threshold = Math.max(1_000, fan.contacts * 0.02);
  let text;
  if (path.length === 0) text = 'No consumer group of the delivery path was seen.';
  else if (path[0].peakContacts < threshold) {
    text =
      `No queue built up in front of any consumer on the delivery path (largest: ${fmt(path[0].peakContacts)} contacts waiting on ` +
      `\`${path[0].topic}\`): every stage kept up with the one before it, so the head of the pipeline — the audience service ` +
      `paging contacts into \`target.resolved\` — paced the run.`;
  } else {
    text =
      `The queue built up on \`${path[0].topic}\` (peak ${fmt(path[0].peakContacts)} contacts waiting at ${fmt(path[0].peakAt, 1)} s): ` +
      `its consumer, **${path[0].consumer}**, is the slowest stage of the delivery path.`;
  }
  if (progress && progress[1].peakLag >= threshold) {
    text += ` Run progress (\`${progress[0]}\`, consumed by ${progress[1].consumer}) lagged by up to ${fmt(progress[1].peakLag)} results, which delays the run's completion, not the deliveries.`;
  }
  return {
    text,
    ranking: path.map(({ topic, consumer, peakLag, peakContacts, weighted }) => ({
      topic,
      consumer,
      peakLag,
      peakContacts,
      contactSeconds: weighted,
    })),
  };
}

function machineSection(r) {
  const m = r.machine;
  const lines = [
    '## Machine',
    '',
    '| CPU | cores | memory | OS | Node | Java | Kafka | PostgreSQL |',
    '|---|---|---|---|---|---|---|---|',
    `| ${m.cpuModel} | ${m.cpus} | ${m.memoryGb} GiB | ${m.os} | ${m.node} | ${m.java} | ${m.kafka} | ${m.postgres} |`,
    '',
  ];
  const loads = [
    ['before the run', r.loadBefore],
    ['after the run', r.loadAfter],
  ].filter(([, l]) => l);
  for (const [when, load] of loads) {
    const others = load.otherProcesses.map((p) => `\`${p.command}\` ${p.corePercent} %`).join(', ');
    lines.push(
      `- Load ${when}: CPU ${load.cpuBusyPercent} % busy, load average ${fmt(load.loadAverage1m, 2)}${others ? `; other work: ${others}` : '; no other process above 5 % of a core'}.`,
    );
  }
  if (r.noisy) {
    lines.push(
      '',
      `> **The machine was not quiet** (${r.noisy}). Absolute figures are depressed; the ratios to the limits measured in the same run are the figures to read.`,
    );
  }
  lines.push('');
  return lines;
}

function summaryRows(r) {
  const rows = [];
  const s = r.scenarios;
  const h = s['hook-accept'];
  if (h && !h.error) {
    rows.push(
      `| hook-accept: accepted calls/s | ${fmt(h.herald.okPerSec)} | ${fmt(h.ceiling.okPerSec)} (bare Fastify) | ${fmt(h.ratio.acceptedPerSec, 2)} | ≥ 5,000 | ${yes(h.herald.okPerSec >= h.target.acceptedPerSec)} |`,
    );
    rows.push(
      `| hook-accept: p99 latency | ${ms(h.herald.latencyMs.p99)} | ${ms(h.ceiling.latencyMs.p99)} (bare Fastify) | ${fmt(h.ratio.p99, 2)} | ≤ 25 ms | ${yes(h.herald.latencyMs.p99 <= h.target.p99Ms)} |`,
    );
  }
  const f = s['fan-out'];
  if (f && !f.error) {
    const target = f.contacts === f.target.contacts ? '≤ 120 s' : `(≤ 120 s at 1,000,000)`;
    rows.push(
      `| fan-out: ${fmt(f.contacts)} contacts, trigger → last delivery | ${secs(f.lastDeliveryMs)} | — | — | ${target} | ${yes(f.meetsTarget)} |`,
    );
    rows.push(
      `| fan-out: deliveries/s (first → last) | ${fmt(f.deliveriesPerSec)} | ${fmt((f.ceilings?.broker?.recordsPerSec ?? 0) * (f.recordSize?.people ?? 1))} people/s (ProducerPerformance) | ${fmt(f.ratio?.vsBroker, 3)} | ≥ ${fmt(f.target.perSec)} | ${yes(f.deliveriesPerSec >= f.target.perSec)} |`,
    );
    rows.push(
      `| fan-out: deliveries/s (first → last) | ${fmt(f.deliveriesPerSec)} | ${fmt(f.ceilings?.provider?.perSec)} sends/s (bare undici → sandbox) | ${fmt(f.ratio?.vsProvider, 3)} | ≥ ${fmt(f.target.perSec)} | ${yes(f.deliveriesPerSec >= f.target.perSec)} |`,
    );
    rows.push(
      `| fan-out: everyone delivered once | ${fmt(f.sandbox.unique)} unique, ${fmt(f.sandbox.duplicates)} duplicates | — | — | all, 0 duplicates | ${yes(f.complete)} |`,
    );
  }
  const l = s.latency;
  if (l && !l.error) {
    rows.push(
      `| latency: hook 200 → provider called, p50 | ${ms(l.latencyMs.p50)} | ${ms(l.ceiling?.p50Ms)} (Kafka e2e × ${l.ceiling?.hops ?? 3}) | ${fmt(l.ratio?.p50, 1)}× | ≤ 100 ms | ${yes(l.latencyMs.p50 <= l.target.p50Ms)} |`,
    );
    rows.push(
      `| latency: hook 200 → provider called, p99 | ${ms(l.latencyMs.p99)} | ${ms(l.ceiling?.p99Ms)} (Kafka e2e × ${l.ceiling?.hops ?? 3}) | ${fmt(l.ratio?.p99, 1)}× | ≤ 500 ms | ${yes(l.latencyMs.p99 <= l.target.p99Ms)} |`,
    );
  }
  const m = s.memory;
  if (m && !m.error) {
    const worst = Object.entries(m.peakMb)
      .filter(([n]) => n !== 'provider-sandbox')
      .sort((a, b) => (b[1].growth ?? 0) - (a[1].growth ?? 0))[0];
    if (worst)
      rows.push(
        `| memory: largest peak growth ${fmt(m.sizes.small)} → ${fmt(m.sizes.large)} contacts | ${fmt(worst[1].growth, 2)}× (${worst[0]}) | 1.00× (flat) | — | flat (≤ ${m.flatFactor}×) | ${yes(m.flat)} |`,
      );
  }
  const d = s.delivery;
  if (d && !d.error) {
    const [zero, fifty] = d.cases;
    for (const [c, target, met] of [
      [zero, d.target.atZeroMs, d.meetsTarget.atZeroMs],
      [fifty, d.target.atFiftyMs, d.meetsTarget.atFiftyMs],
    ])
      rows.push(
        `| delivery: one instance, ${c.latencyMs} ms provider latency, sends/s | ${fmt(c.sendsPerSec)} | ${c.ceiling?.perSec ? `${fmt(c.ceiling.perSec)} (bare undici → sandbox, ${fmt(c.ceiling.concurrency)} in flight)` : '—'} | ${fmt(c.ratio, 2)} | ≥ ${fmt(target)} | ${yes(met)} |`,
      );
    rows.push(
      `| delivery: pacing at ${fmt(d.pacing.configuredPerSec)}/s, steady rate | ${fmt(d.pacing.steadyPerSec, 1)}/s (${fmt((d.pacing.error ?? NaN) * 100, 1)} % off) | ${fmt(d.pacing.configuredPerSec)}/s (configured) | ${fmt(d.pacing.steadyPerSec / d.pacing.configuredPerSec, 3)} | within ${fmt(d.target.pacingTolerance * 100)} % | ${yes(d.meetsTarget.pacing)} |`,
    );
  }
  const a = s.audience;
  if (a && !a.error) {
    const limit = `${fmt(a.target.contacts / a.target.seconds)} targets/s (≤ ${fmt(a.target.seconds)} s for ${fmt(a.target.contacts)})`;
    rows.push(
      `| audience: ${fmt(a.contacts)}-contact saved audience, request → every target published and recorded | ${secs(a.resolvedMs)} (${fmt(a.targetsPerSec)} targets/s) | — | — | ${a.contacts === a.target.contacts ? `≤ ${fmt(a.target.seconds)} s for ${fmt(a.target.contacts)}` : limit} | ${yes(a.contacts === a.target.contacts ? a.meetsTarget : a.meetsTargetRate)} |`,
    );
    rows.push(
      `| audience: everyone in exactly one page | ${fmt(a.topic.unique)} unique, ${fmt(a.topic.duplicates)} duplicates | — | — | all, 0 duplicates | ${yes(a.complete)} |`,
    );
  }
  const o = s['scale-out'];
  if (o && !o.error) {
    for (const c of o.cases)
      rows.push(
        `| scale-out: ${c.replicas} delivery-sms replica(s), one account paced at ${fmt(o.configuredPerSec)}/s, steady rate together | ${fmt(c.steadyPerSec, 1)}/s (${fmt((c.rateError ?? NaN) * 100, 1)} % off; ${fmt(c.cpuMsPerDelivery, 3)} ms CPU per delivery, ${fmt(c.workMsPerDelivery, 3)} ms above the replicas' idle ${fmt(c.idleCores, 3)} cores) | ${fmt(o.configuredPerSec)}/s (configured) | ${fmt(c.steadyPerSec / o.configuredPerSec, 3)} | within ${fmt(o.target.rateTolerance * 100)} % | ${yes(c.replicas === 1 ? o.meetsTarget.oneReplicaRate : o.meetsTarget.threeReplicasRate)} |`,
      );
    rows.push(
      `| scale-out: CPU per delivery above idle, 3 replicas ÷ 1, each case warmed up first with ${fmt(o.warmUpPeople ?? NaN)} sends (gross ${fmt(1 + (o.grossCpuGrowth ?? NaN), 3)}×) | ${fmt(1 + (o.cpuGrowth ?? NaN), 3)}× | 1.00× | — | ≤ ${fmt(1 + o.target.cpuGrowth, 2)}× | ${yes(o.meetsTarget.cpuGrowth)} |`,
    );
  }
  return rows;
}

function deliverySection(d) {
  const lines = ['## delivery', ''];
  if (d.error) return [...lines, `Failed: ${d.error}`, ''];
  lines.push(
    `One ${d.service} instance (DELIVERY_CONCURRENCY ${fmt(d.concurrency)}) drains a queue the rest of the pipeline filled while it was stopped; sends/s is the sandbox's first → last send. ` +
      'The upstream services are idle by then; the audience service still folds the results into the run.',
    '',
    '| provider latency | people | sends/s | seconds | instance CPU (cores) | peak memory | limit: bare undici loop | ratio | unique | duplicates |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const c of [...d.cases, d.pacing])
    lines.push(
      `| ${c.latencyMs} ms${c === d.pacing ? ` (paced at ${fmt(d.pacing.configuredPerSec)}/s)` : ''} | ${fmt(c.people)} | ${fmt(c.sendsPerSec)} | ${fmt(c.seconds, 1)} | ${fmt(c.cpuCores, 2)} | ${fmt(c.peakMb)} MB | ${c.ceiling?.perSec ? `${fmt(c.ceiling.perSec)}/s (p99 ${fmt(c.ceiling.latencyMs?.p99, 1)} ms)` : '—'} | ${fmt(c.ratio, 2)} | ${fmt(c.unique)} | ${fmt(c.duplicates)} |`,
    );
  lines.push(
    '',
    `Pacing: the account was configured at ${fmt(d.pacing.configuredPerSec)} messages/s; over the middle 80 % of its ${fmt(d.pacing.people)} sends the sandbox saw ${fmt(d.pacing.steadyPerSec, 1)}/s, ${fmt((d.pacing.error ?? NaN) * 100, 2)} % off (target: within ${fmt(d.target.pacingTolerance * 100)} %).`,
    '',
  );
  const zero = d.cases[0];
  if (zero?.cpuCores !== null && zero?.cpuCores !== undefined)
    lines.push(
      zero.cpuCores >= 0.85
        ? `At 0 ms the instance kept ${fmt(zero.cpuCores, 2)} of a core busy: its one event loop is its limit (more instances, up to the topic's partitions, add to it).`
        : `At 0 ms the instance used ${fmt(zero.cpuCores, 2)} of a core: the rest of the machine (the sandbox, Kafka, PostgreSQL, the audience folding results) held it back.`,
      '',
    );
  return lines;
}

function audienceSection(a, files) {
  const lines = ['## audience', ''];
  if (a.error) return [...lines, `Failed: ${a.error}`, ''];
  lines.push(
    `Audience resolution alone: ${fmt(a.contacts)} contacts (${a.channels.join(', ')}), seeded by ${a.seed.method} in ${secs(a.seed.ms)}; ` +
      'one broadcast to its saved audience (every contact of the bot) via `POST /admin/broadcasts/:id/run`, with only the gateway and the audience service running: nothing consumes `target.resolved`. ' +
      `Pages of at most ${fmt(a.pageSize)} targets. Outcome: **${a.outcome}**.`,
    '',
    '| request accepted | run claimed | first page on Kafka | last page on Kafka | resolution recorded | targets/s | pages | targets on the topic | unique | duplicates |',
    '|---|---|---|---|---|---|---|---|---|---|',
    `| ${secs(a.requestAcceptedMs)} | ${secs(a.runClaimedMs)} | ${secs(a.firstPageMs)} | ${secs(a.lastPageMs)} | ${secs(a.resolvedMs)} | ${fmt(a.targetsPerSec)} | ${fmt(a.topic.records)} | ${fmt(a.topic.targets)} | ${fmt(a.topic.unique)} | ${fmt(a.topic.duplicates)} |`,
    '',
    'Times are from the moment the harness sent the run request. "Run claimed" is the run row\'s `started_at` (the scheduler claims runs every `SCHEDULER_INTERVAL_MS`); the page times are the records\' Kafka timestamps; "resolution recorded" is when the run row said `resolution_done` (polled every 100 ms): every page acknowledged by Kafka and recorded. The topic was then read back whole: every contact must be in exactly one page.',
    '',
    `| process | CPU over the ${fmt(a.cpu.seconds, 1)} s | cores | ms per 1,000 targets |`,
    '|---|---|---|---|',
  );
  for (const [name, seconds] of Object.entries(a.cpu.byProcess))
    lines.push(
      `| ${name} | ${fmt(seconds, 1)} s | ${a.cpu.seconds ? (seconds / a.cpu.seconds).toFixed(2) : '—'} | ${fmt(a.cpu.msPer1000Targets[name], 2)} |`,
    );
  lines.push(
    '',
    'PostgreSQL counts every backend on the machine, including any other work using the same server during the window.',
    '',
    `![audience resolution progress](./${files.audience})`,
    '',
  );
  return lines;
}

function hookSection(h, files) {
  const lines = ['## hook-accept', ''];
  if (h.error) return [...lines, `Failed: ${h.error}`, ''];
  lines.push(
    `autocannon, ${h.herald.connections} connections, ${fmt(h.herald.durationS, 1)} s, \`POST /hooks/:key\` with a bot token and one target (\`${JSON.stringify(h.payload)}\`). ` +
      `Services running: ${h.services.join(', ')}.`,
    '',
    '| | accepted/s | requests | non-2xx | errors | timeouts | p50 | p90 | p99 | max |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const [name, x] of [
    ['Herald gateway', h.herald],
    ['bare Fastify (ceiling)', h.ceiling],
  ]) {
    lines.push(
      `| ${name} | ${fmt(x.okPerSec)} | ${fmt(x.requests)} | ${fmt(x.non2xx)} | ${fmt(x.errors)} | ${fmt(x.timeouts)} | ${ms(x.latencyMs.p50)} | ${ms(x.latencyMs.p90)} | ${ms(x.latencyMs.p99)} | ${ms(x.latencyMs.max)} |`,
    );
  }
  lines.push(
    '',
    `Ratio: Herald accepts ${fmt(h.ratio.acceptedPerSec, 2)} of the bare server's rate; its p99 is ${fmt(h.ratio.p99, 2)}× the bare server's.`,
  );
  if (h.memory?.gateway)
    lines.push(`Gateway peak memory during the load: ${fmt(h.memory.gateway.peakMb)} MB.`);
  const where = hookCpu(h.cpu);
  if (where) lines.push('', where);
  lines.push('', `![hook-accept latency distribution](./${files.hookLatency})`, '');
  return lines;
}

function fanOutSection(f, files, title = 'fan-out', cores = null) {
  const lines = [`## ${title}`, ''];
  if (f.error) return [...lines, `Failed: ${f.error}`, ''];
  const b = f.ceilings?.broker;
  const p = f.ceilings?.provider;
  lines.push(
    `${fmt(f.contacts)} contacts (${f.channels.join(', ')}, round-robin), seeded by ${f.seed.method} in ${secs(f.seed.ms)}; ` +
      `one broadcast to all of them via \`POST /admin/broadcasts/:id/run\`. Outcome: **${f.outcome}**. ` +
      `Channel pacing (\`messagesPerSecond\`): ${Object.entries(f.pacing ?? {})
        .map(([c, v]) => `${c} ${typeof v === 'number' ? fmt(v) : v}`)
        .join(', ')}.`,
    '',
    ...(f.channels.includes('whatsapp')
      ? [
          `> WhatsApp's Cloud API allows one phone number at most 1,000 messages/s and delivery-whatsapp enforces it: the ` +
            `${fmt(f.sandbox.byChannel?.whatsapp?.unique ?? Math.ceil(f.contacts / f.channels.length))} WhatsApp contacts of this one-bot broadcast ` +
            `need at least ${fmt((f.sandbox.byChannel?.whatsapp?.unique ?? f.contacts / f.channels.length) / 1000)} s, whatever the pipeline does.`,
          '',
        ]
      : []),
    '| trigger accepted | first delivery | last delivery | run completed | deliveries/s (first → last) | deliveries/s (trigger → last) | unique | duplicates | run counts |',
    '|---|---|---|---|---|---|---|---|---|',
    `| ${secs(f.triggerAcceptedMs)} | ${secs(f.firstDeliveryMs)} | ${secs(f.lastDeliveryMs)} | ${secs(f.runCompletedMs)} | ${fmt(f.deliveriesPerSec)} | ${fmt(f.endToEndPerSec)} | ${fmt(f.sandbox.unique)} | ${fmt(f.sandbox.duplicates)} | ${
      f.run
        ? Object.entries(f.run.counts ?? {})
            .map(([k, v]) => `${k} ${fmt(v)}`)
            .join(', ')
        : '—'
    } |`,
    '',
    'Times are from the moment the harness sent the run request.',
    '',
  );
  if (b || p) {
    lines.push('| limit, same run | figure | Herald ÷ limit |', '|---|---|---|');
    if (b) {
      lines.push(
        b.error
          ? `| broker (ProducerPerformance) | failed: ${b.error.split('\n')[0]} | — |`
          : `| broker: ProducerPerformance, ${fmt(b.records)} records × ${fmt(b.recordSize)} B, acks=all, ${b.partitions} partitions | ${fmt(b.recordsPerSec)} records/s (${b.mbPerSec} MB/s, p99 ${b.latencyMs.p99} ms), ${fmt(b.recordsPerSec * (f.recordSize?.people ?? 1))} people/s | ${fmt(f.ratio.vsBroker, 3)} |`,
      );
    }
    if (p) {
      lines.push(
        p.error
          ? `| provider HTTP (undici loop) | failed: ${p.error} | — |`
          : `| provider HTTP: bare undici loop → sandbox, ${p.concurrency} in flight, ${fmt(p.seconds, 1)} s | ${fmt(p.perSec)} sends/s (p99 ${p.latencyMs.p99} ms, ${fmt(p.errors)} errors) | ${fmt(f.ratio.vsProvider, 3)} |`,
      );
    }
    if (f.recordSize)
      lines.push(
        '',
        `Record size: the mean of ${f.recordSize.sampled} \`delivery.requested\` records of this run (value ${f.recordSize.value} B + key ${f.recordSize.key} B + headers ${f.recordSize.headers} B), ${f.recordSize.people ?? 1} people each. Requests (\`delivery.requested.v2\`) and results (\`delivery.result.v2\`) travel many people to a record; pages of targets one page to a record.`,
      );
    lines.push('');
  }
  const bottleneck = bottleneckOf(f);
  lines.push(`**Bottleneck.** ${bottleneck.text}`, '');
  if (bottleneck.ranking?.length) {
    lines.push(
      '| topic | consumer | peak lag (events) | peak contacts waiting | contact·seconds waiting |',
      '|---|---|---|---|---|',
    );
    for (const t of bottleneck.ranking.filter((x) => !x.topic.includes('.retry.') || x.peakLag > 0))
      lines.push(
        `| \`${t.topic}\` | ${t.consumer} | ${fmt(t.peakLag)} | ${fmt(t.peakContacts)} | ${fmt(t.contactSeconds)} |`,
      );
    lines.push('');
  }
  lines.push(...processTable(f.memory));
  const budget = cpuBudget(f.memory.cpu, f.sandbox?.unique, cores);
  if (budget) lines.push('', budget);
  lines.push(
    '',
    `![deliveries per second](./${files.throughput})`,
    '',
    `![consumer lag per topic](./${files.lag})`,
    '',
    `![memory per process](./${files.fanOutMemory})`,
    '',
  );
  return lines;
}

function latencySection(l, files) {
  const lines = ['## latency', ''];
  if (l.error) return [...lines, `Failed: ${l.error}`, ''];
  lines.push(
    `${fmt(l.calls)} hook calls at ${l.rate}/s for ${l.durationS} s, each to a person of its own (WhatsApp); latency = the sandbox's \`receivedAt\` minus the moment the hook answered 200. ` +
      `${fmt(l.accepted)} accepted, ${fmt(l.delivered)} matched at the sandbox, ${fmt(l.missing)} missing.`,
    '',
    '| | p50 | p90 | p99 | max |',
    '|---|---|---|---|---|',
    `| hook 200 → provider called | ${ms(l.latencyMs.p50)} | ${ms(l.latencyMs.p90)} | ${ms(l.latencyMs.p99)} | ${ms(l.latencyMs.max)} |`,
    `| hook call → 200 | ${ms(l.hookAnswerMs.p50)} | ${ms(l.hookAnswerMs.p90)} | ${ms(l.hookAnswerMs.p99)} | ${ms(l.hookAnswerMs.max)} |`,
  );
  if (l.ceiling && !l.ceiling.error) {
    lines.push(
      `| floor: ${l.ceiling.what} | ${ms(l.ceiling.p50Ms)} | — | ${ms(l.ceiling.p99Ms)} | — |`,
    );
    lines.push(
      '',
      `Herald's p50 is ${fmt(l.ratio.p50, 1)}× and its p99 ${fmt(l.ratio.p99, 1)}× the floor Kafka alone sets for three hops (one hop: p50 ${l.ceiling.perHop.latencyMs.p50} ms, p99 ${l.ceiling.perHop.latencyMs.p99} ms).`,
    );
  } else if (l.ceiling?.error) lines.push('', `Kafka EndToEndLatency failed: ${l.ceiling.error}`);
  lines.push('', `![latency distribution](./${files.latency})`, '');
  return lines;
}

function memorySection(m, files) {
  const lines = ['## memory', ''];
  if (m.error) return [...lines, `Failed: ${m.error}`, ''];
  const drift = m.flatOverTime !== undefined;
  lines.push(
    `The fan-out at ${fmt(m.sizes.small)} and at ${fmt(m.sizes.large)} contacts, each on a fresh stack (outcomes: ${m.outcomes.small}; ${m.outcomes.large}). ` +
      `Peak resident memory (VmHWM) per process. Flat across sizes (the larger run's peak at most ${m.flatFactor}× the smaller's): **${m.flat ? 'yes' : 'no'}**.` +
      (drift
        ? ` Flat over the large run (its peak in the last third at most ${m.driftFactor}× its peak in the middle third, after warm-up): **${m.flatOverTime ? 'yes' : 'no'}**.`
        : ''),
    '',
    m.heapMb
      ? `The services ran with \`--max-old-space-size=${m.heapMb}\` (\`--heap-mb ${m.heapMb}\`), the V8 heap limit a container with a memory limit gives them; the sandbox with Node's default.`
      : "The services ran with Node's default heap limit, which V8 sizes from this machine's memory (about 4 GB here): it lets a busy heap grow lazily towards that limit before collecting it, so peaks partly measure the run's length. `--heap-mb N` runs them with a container's limit instead.",
    '',
    `| process | ${fmt(m.sizes.small)} contacts | ${fmt(m.sizes.large)} contacts | growth |${drift ? ` late ÷ mid-run (${fmt(m.sizes.large)}) |` : ''}`,
    `|---|---|---|---|${drift ? '---|' : ''}`,
  );
  for (const [name, p] of Object.entries(m.peakMb))
    lines.push(
      `| ${name} | ${fmt(p.small)} MB | ${fmt(p.large)} MB | ${times(p.growth)} |${drift ? ` ${times(p.lateVsMid)} |` : ''}`,
    );
  lines.push(
    '',
    'A short run may end before heaps reach their working size, so the growth across sizes also counts warm-up; the ' +
      'late ÷ mid-run column shows whether memory still climbs while the large run goes on. The provider sandbox is not ' +
      'part of Herald: it keeps a duplicate index over every message it receives, so it grows with the audience by design.',
    '',
    `![peak memory per process](./${files.memoryBars})`,
    '',
  );
  return lines;
}

/** Writes `<stem>.md` and its SVG charts into `dir`; returns the files written. */
export function writeReport(results, dir, stem) {
  fs.mkdirSync(dir, { recursive: true });
  const files = {};
  const write = (key, name, svg) => {
    files[key] = `${stem}-${name}.svg`;
    fs.writeFileSync(path.join(dir, files[key]), svg);
  };
  const s = results.scenarios;
  if (s['hook-accept'] && !s['hook-accept'].error) {
    const h = s['hook-accept'];
    const xs = h.herald.distribution.map((d, i) => ({ value: i, label: `p${d[0]}` }));
    write(
      'hookLatency',
      'hook-accept-latency',
      lineChart({
        title: `hook-accept latency distribution (${h.herald.connections} connections)`,
        xLabel: 'percentile',
        yLabel: 'latency (ms)',
        xTicks: xs,
        series: [
          {
            name: `Herald gateway (${fmt(h.herald.okPerSec)}/s)`,
            points: h.herald.distribution.map((d, i) => [i, d[1]]),
          },
          {
            name: `bare Fastify (${fmt(h.ceiling.okPerSec)}/s)`,
            points: h.ceiling.distribution.map((d, i) => [i, d[1]]),
          },
        ],
        hLines: [{ y: h.target.p99Ms, label: 'target p99 (25 ms)' }],
      }),
    );
  }
  const f = s['fan-out'];
  if (f && !f.error) {
    const hLines = [{ y: f.target.perSec, label: `target (${fmt(f.target.perSec)}/s)` }];
    if (f.ceilings?.provider?.perSec)
      hLines.push({
        y: f.ceilings.provider.perSec,
        label: `provider-HTTP ceiling (${fmt(f.ceilings.provider.perSec)}/s)`,
      });
    write(
      'throughput',
      'fan-out-throughput',
      lineChart({
        title: `fan-out: deliveries per second, ${fmt(f.contacts)} contacts`,
        xLabel: 'seconds since the run request',
        yLabel: 'deliveries/s (5 s window)',
        xMin: 0,
        series: [
          { name: 'Herald → sandbox, all channels', points: smoothRate(f.progress) },
          ...(f.progressColumns ?? []).slice(2).map((channel, i) => ({
            name: channel,
            dashed: true,
            points: smoothRate(f.progress.map((row) => [row[0], row[i + 2]])),
          })),
        ],
        hLines,
      }),
    );
    // Topics that never held anything would only crowd the legend. Events that carry many
    // people (pages, batched requests) are drawn as the contacts they hold, so the lines compare.
    const pageSize = f.pageSize ?? 500;
    const topics = Object.keys(f.lag.topics ?? {})
      .filter((t) => f.lag.topics[t].peakLag > 0)
      .sort();
    const weight = contactsPerEvent(f, pageSize);
    write(
      'lag',
      'fan-out-lag',
      lineChart({
        title: 'fan-out: consumer lag per topic (contacts waiting)',
        xLabel: 'seconds since the run request',
        yLabel: 'contacts waiting',
        xMin: 0,
        series: topics.map((topic) => ({
          name: `${topic}${weight(topic) > 1 ? ` ×${weight(topic)}` : ''} (${f.lag.topics[topic].consumer})`,
          points: f.lag.series.map((p) => [
            p.t,
            p.lag[topic] === undefined ? null : p.lag[topic] * weight(topic),
          ]),
        })),
      }),
    );
    write(
      'fanOutMemory',
      'fan-out-memory',
      memoryChart(
        `fan-out: resident memory per process, ${fmt(f.contacts)} contacts`,
        f.memory.series,
      ),
    );
  }
  const l = s.latency;
  if (l && !l.error) {
    write(
      'latency',
      'latency',
      lineChart({
        title: `hook 200 → provider called, ${l.rate} calls/s`,
        xLabel: 'percentile',
        yLabel: 'latency (ms)',
        xTicks: l.distribution.map((d, i) => ({ value: i, label: `p${d[0]}` })),
        series: [{ name: 'Herald', points: l.distribution.map((d, i) => [i, d[1]]) }],
        hLines: [
          { y: l.target.p50Ms, label: 'target p50 (100 ms)' },
          { y: l.target.p99Ms, label: 'target p99 (500 ms)' },
          ...(l.ceiling?.p50Ms !== undefined
            ? [{ y: l.ceiling.p50Ms, label: `Kafka floor p50 (${l.ceiling.p50Ms} ms)` }]
            : []),
        ],
      }),
    );
  }
  const m = s.memory;
  if (m && !m.error) {
    const names = Object.keys(m.peakMb);
    write(
      'memoryBars',
      'memory',
      barChart({
        title: 'peak memory per process (VmHWM)',
        yLabel: 'MB',
        groups: names,
        series: [
          { name: `${fmt(m.sizes.small)} contacts`, values: names.map((n) => m.peakMb[n].small) },
          { name: `${fmt(m.sizes.large)} contacts`, values: names.map((n) => m.peakMb[n].large) },
        ],
      }),
    );
  }

  const a = s.audience;
  if (a && !a.error) {
    write(
      'audience',
      'audience-progress',
      lineChart({
        title: `audience: targets published per second, ${fmt(a.contacts)}-contact saved audience`,
        xLabel: 'seconds since the run request',
        yLabel: 'targets/s (2 s window)',
        xMin: 0,
        series: [{ name: 'targets recorded on the run', points: smoothRate(a.progress, 2) }],
        hLines: [
          {
            y: a.target.contacts / a.target.seconds,
            label: `target (${fmt(a.target.contacts)} in ${a.target.seconds} s)`,
          },
        ],
      }),
    );
  }
  const lines = [
    `# Herald benchmark — ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Command: \`${results.command}\` (${fmt(results.durationS)} s in all). Results: [\`${stem}.json\`](./${stem}.json).`,
    '',
    `Herald at commit \`${results.git?.commit ?? 'unknown'}\`${results.git?.dirty ? ' with uncommitted changes in apps/ or libs/' : ''}.`,
    '',
    ...machineSection(results),
    '## Summary',
    '',
    'Every figure beside its limit measured in the same run on the same machine, the ratio between them, and the target from ARCHITECTURE.md.',
    '',
    '| figure | Herald | limit (same run) | ratio | target | meets target |',
    '|---|---|---|---|---|---|',
    ...summaryRows(results),
    '',
  ];
  for (const [name, scenario] of Object.entries(s))
    if (scenario.error) lines.push(`- **${name} failed:** ${scenario.error.split('\n')[0]}`);
  if (Object.values(s).some((x) => x.error)) lines.push('');
  if (s['hook-accept']) lines.push(...hookSection(s['hook-accept'], files));
  if (f) lines.push(...fanOutSection(f, files, 'fan-out', results.machine?.cpus ?? null));
  if (l) lines.push(...latencySection(l, files));
  if (m) lines.push(...memorySection(m, files));
  if (s.delivery) lines.push(...deliverySection(s.delivery));
  if (a) lines.push(...audienceSection(a, files));
  const md = path.join(dir, `${stem}.md`);
  fs.writeFileSync(md, lines.join('\n'));
  return { markdown: md, charts: Object.values(files).map((f) => path.join(dir, f)) };
}

function memoryChart(title, series) {
  const names = [...new Set(series.flatMap((p) => Object.keys(p).filter((k) => k !== 't')))];
  return lineChart({
    title,
    xLabel: 'seconds since the run request',
    yLabel: 'resident memory (MB)',
    xMin: 0,
    series: names.map((name) => ({ name, points: series.map((p) => [p.t, p[name] ?? null]) })),
  });
}

/**
 * Peak memory and CPU per process over one sampled window. CPU is in seconds and as cores (CPU
 * seconds ÷ wall seconds): on the two-core machine, the cores Herald's stages and its
 * infrastructure share.
 */
function processTable(memory) {
  const cpu = memory.cpu;
  if (!cpu) {
    const lines = ['| process | peak memory (VmHWM) |', '|---|---|'];
    for (const [name, m] of Object.entries(memory.byProcess))
      lines.push(`| ${name} | ${fmt(m.peakMb)} MB |`);
    return lines;
  }
  const names = [...new Set([...Object.keys(memory.byProcess), ...Object.keys(cpu.byProcess)])];
  const lines = [
    `| process | peak memory (VmHWM) | CPU over the ${fmt(cpu.seconds)} s | cores |`,
    '|---|---|---|---|',
  ];
  let total = 0;
  for (const name of names) {
    const seconds = cpu.byProcess[name];
    total += seconds ?? 0;
    const peak = memory.byProcess[name]?.peakMb;
    lines.push(
      `| ${name} | ${peak === undefined ? '—' : `${fmt(peak)} MB`} | ${seconds === undefined ? '—' : `${fmt(seconds, 1)} s`} | ${seconds === undefined ? '—' : (seconds / cpu.seconds).toFixed(2)} |`,
    );
  }
  lines.push(`| all of the above | | ${fmt(total, 1)} s | ${(total / cpu.seconds).toFixed(2)} |`);
  return lines;
}

/**
 * The run's CPU per delivery, split between Herald's services and the parts that are not
 * Herald's (the provider sandbox, the Kafka broker, PostgreSQL), and what that cost allows on
 * this machine's cores: where a target is out of reach of the whole machine, this says so.
 */
export function cpuBudget(cpu, delivered, cores) {
  if (!cpu || !delivered || !cores) return null;
  const per = (seconds) => (seconds * 1000) / delivered;
  let herald = 0;
  let others = 0;
  const parts = {};
  for (const [name, seconds] of Object.entries(cpu.byProcess)) {
    if (name === 'provider-sandbox' || name.endsWith('(infrastructure)')) {
      others += seconds;
      parts[name.replace(' (infrastructure)', '')] = seconds;
    } else herald += seconds;
  }
  const total = herald + others;
  const msEach = (seconds) => `${per(seconds).toFixed(3)} ms`;
  const floorS = (seconds) => fmt((per(seconds) * 1_000_000) / 1000 / cores, 0);
  return (
    `**CPU budget.** The processes used ${fmt(total, 1)} CPU-seconds for ${fmt(delivered)} deliveries: ${msEach(total)} per delivery, ` +
    `of which Herald's services ${msEach(herald)} and the rest ${msEach(others)} (` +
    Object.entries(parts)
      .map(([name, seconds]) => `${name} ${msEach(seconds)}`)
      .join(', ') +
    `). At that cost this machine's ${cores} cores deliver at most ${fmt((cores * 1000) / per(total))}/s, ` +
    `so 1,000,000 deliveries need at least ${floorS(total)} s of the whole machine; ` +
    `the sandbox, Kafka and PostgreSQL alone (for the records and statements each delivery makes) take ${floorS(others)} s of it.`
  );
}

/**
 * Where the cores went while the gateway was loaded: the gateway runs its JavaScript on one
 * core, so at about one core it is the limit (more replicas raise the figure); below that, the
 * load generator, Kafka or other work took the rest of the machine.
 */
export function hookCpu(cpu) {
  if (!cpu?.seconds) return null;
  const cores = (name) => (cpu.byProcess[name] ?? 0) / cpu.seconds;
  const gateway = cores('gateway');
  const parts = Object.keys(cpu.byProcess)
    .filter((name) => cores(name) >= 0.05)
    .sort((a, b) => cores(b) - cores(a))
    .map((name) => `${name} ${cores(name).toFixed(2)}`);
  const verdict =
    gateway >= 0.85
      ? 'The gateway kept about one core busy: its single event loop is the limit, and more gateway replicas (the HPA scales them on CPU) raise the figure.'
      : 'The gateway did not fill its core: the rest of the machine (the load generator, Kafka) held it back.';
  return `**Where the cores went** during Herald's load (CPU-seconds ÷ wall seconds): ${parts.join(', ')}. ${verdict}`;
}
