// audience: audience resolution alone (issue 14). N contacts seeded with COPY, one broadcast to
// its saved audience (every contact of the bot) requested through the admin API, and only the
// gateway (which takes the request) and the audience service running: nothing consumes
// target.resolved, so the figure is the audience service turning the audience into events and
// nothing else. Measured: the time from the request until the run's row says resolution is done
// (every page acknowledged by Kafka and recorded), the Kafka timestamps of the first and last
// page, and the CPU the audience service, PostgreSQL and Kafka spent meanwhile. Then the topic is
// read back: every contact must be in exactly one page.
import pg from 'pg';
import { seedContacts } from '../lib/contacts.seed.mjs';
import { queued } from '../lib/drain.mjs';
import { adminClient } from '../lib/herald.admin.mjs';
import { startStack } from '../lib/herald.stack.mjs';
import { kafkaClient, readFirstRecords } from '../lib/infra.mjs';
import { startMemorySampler } from '../lib/memory.sampler.mjs';
import { round } from '../lib/stats.mjs';

export const AUDIENCE_TARGET = { contacts: 1_000_000, seconds: 20 };
const TOPIC = 'target.resolved.v1';
const POLL_MS = 100;
const SERIES_MS = 500;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Records on the topic; retried while the broker still moves the new topic's leaders. */
async function recordsOn(kafkaAdmin, topic) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await queued(kafkaAdmin, topic);
    } catch (err) {
      if (attempt >= 20) throw err;
      await sleep(250);
    }
  }
}

/** The run's row as resolution leaves it, or null before the audience service accepted the request. */
async function runRow(db, runId) {
  const { rows } = await db.query(
    `SELECT status, reason, targeted, pages_emitted, resolution_done, started_at
       FROM runs WHERE id = $1`,
    [runId],
  );
  return rows[0] ?? null;
}

/**
 * Polls the run's row until resolution is done (or the run failed, stalled or ran out of time);
 * samples targets recorded and records on the topic for the progress series.
 */
async function followResolution({
  db,
  kafkaAdmin,
  topic,
  runId,
  t0,
  timeoutS,
  stallS,
  stack,
  log,
}) {
  const progress = [];
  let row = null;
  let lastTargeted = -1;
  let lastChange = Date.now();
  let lastSample = 0;
  let lastLog = Date.now();
  for (;;) {
    stack.assertAlive();
    row = (await runRow(db, runId)) ?? row;
    const now = Date.now();
    if (row?.resolution_done) return { row, resolvedMs: now - t0, progress, outcome: 'resolved' };
    if (['failed', 'cancelled'].includes(row?.status))
      return { row, progress, outcome: `run ${row.status}: ${row.reason ?? ''}`.trim() };
    const targeted = row?.targeted ?? 0;
    if (targeted !== lastTargeted) {
      lastTargeted = targeted;
      lastChange = now;
    }
    if (now - lastSample >= SERIES_MS) {
      lastSample = now;
      progress.push([round((now - t0) / 1000, 2), targeted, await recordsOn(kafkaAdmin, topic)]);
    }
    if (now - lastChange > stallS * 1000)
      return { row, progress, outcome: `stalled: no page recorded for ${stallS} s` };
    if (now - t0 > timeoutS * 1000)
      return { row, progress, outcome: `timeout after ${timeoutS} s` };
    if (now - lastLog > 10_000) {
      lastLog = now;
      log(
        `audience: ${targeted.toLocaleString('en')} targets recorded after ${Math.round((now - t0) / 1000)} s`,
      );
    }
    await sleep(POLL_MS);
  }
}

/**
 * Reads every record of the run's topic back: how many pages and targets, whether any contact is
 * in two pages, and the first and last record's Kafka timestamp (the producer's clock: this
 * machine's).
 */
async function readBack(brokers, topic, records, groupId) {
  const seen = new Set();
  const out = {
    records: 0,
    targets: 0,
    duplicates: 0,
    firstAt: null,
    lastAt: null,
    runIds: new Set(),
  };
  out.records = await readFirstRecords(brokers, {
    topic,
    groupId,
    clientId: 'herald-bench-audience',
    want: records,
    timeoutMs: Math.max(60_000, records * 100),
    onRecord: (message) => {
      const event = JSON.parse(message.value.toString('utf8'));
      const at = Number(message.timestamp);
      out.firstAt = out.firstAt === null ? at : Math.min(out.firstAt, at);
      out.lastAt = out.lastAt === null ? at : Math.max(out.lastAt, at);
      out.runIds.add(event.runId);
      for (const { contactId } of event.targets) {
        out.targets++;
        if (seen.has(contactId)) out.duplicates++;
        else seen.add(contactId);
      }
    },
  });
  return { ...out, unique: seen.size, runIds: [...out.runIds] };
}

/** One broadcast to a saved audience of `contacts`, resolved with nothing consuming its pages. */
export async function audience(ctx, { contacts }) {
  const { args, log } = ctx;
  const label = 'audience';
  const prefix = `${ctx.prefixBase}${label}.`;
  const topic = `${prefix}${TOPIC}`;
  // The gateway takes the request (the admin API) and the audience service resolves it: no
  // contact or delivery service, so nothing reads target.resolved.
  const stack = await startStack({
    ...ctx.stackOptions,
    label,
    prefix,
    services: ['audience', 'gateway'],
    sandbox: false,
    log,
  });
  const kafkaAdmin = kafkaClient(stack.brokers, 'herald-bench-audience').admin();
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await kafkaAdmin.connect();
  await db.connect();
  try {
    const admin = adminClient(stack);
    const bot = await admin.setupBot({ name: 'Bench audience bot', channels: args.channels });
    log(`${label}: seeding ${contacts.toLocaleString('en')} contacts with COPY`);
    const seed = await seedContacts({
      databaseUrl: stack.databaseUrl,
      botId: bot.botId,
      count: contacts,
      channels: args.channels,
    });
    log(`${label}: seeded in ${(seed.ms / 1000).toFixed(1)} s; requesting the broadcast`);
    const before = await recordsOn(kafkaAdmin, topic);

    const t0 = Date.now();
    const meter = startMemorySampler(() => stack.pids(), { t0 });
    let followed;
    let usage;
    let runId;
    let acceptedMs;
    try {
      ({ runId } = await admin.runBroadcast(bot.broadcastId));
      acceptedMs = Date.now() - t0;
      followed = await followResolution({
        db,
        kafkaAdmin,
        topic,
        runId,
        t0,
        timeoutS: Math.min(1800, 60 + Math.ceil(contacts / 2_000)),
        stallS: args.stall,
        stack,
        log,
      });
    } finally {
      usage = await meter.stop();
    }
    const records = (await recordsOn(kafkaAdmin, topic)) - before;
    log(`${label}: ${followed.outcome}; reading back ${records.toLocaleString('en')} pages`);
    const back =
      records > 0
        ? await readBack(stack.brokers, topic, records, `${prefix}bench-read-back`)
        : {
            records: 0,
            targets: 0,
            unique: 0,
            duplicates: 0,
            firstAt: null,
            lastAt: null,
            runIds: [],
          };
    const row = followed.row;
    const cpu = usage.cpu;
    const msPer1000 = (seconds) =>
      seconds === undefined ? null : round((seconds * 1_000_000) / contacts, 3);
    const complete =
      followed.outcome === 'resolved' &&
      back.records === row?.pages_emitted &&
      back.targets === contacts &&
      back.unique === contacts &&
      back.duplicates === 0 &&
      row?.targeted === contacts;
    const resolvedMs = followed.resolvedMs ?? null;
    const result = {
      contacts,
      channels: args.channels,
      // Targets per target.resolved event at most (the audience service's AUDIENCE_PAGE_SIZE).
      pageSize: Number(process.env.AUDIENCE_PAGE_SIZE ?? 500),
      seed,
      runId,
      outcome: followed.outcome,
      complete,
      requestAcceptedMs: acceptedMs,
      runClaimedMs: row?.started_at ? row.started_at.getTime() - t0 : null,
      firstPageMs: back.firstAt === null ? null : back.firstAt - t0,
      lastPageMs: back.lastAt === null ? null : back.lastAt - t0,
      resolvedMs,
      targetsPerSec: resolvedMs ? round(contacts / (resolvedMs / 1000)) : null,
      run: row
        ? {
            status: row.status,
            targeted: row.targeted,
            pagesEmitted: row.pages_emitted,
            resolutionDone: row.resolution_done,
          }
        : null,
      topic: {
        records: back.records,
        targets: back.targets,
        unique: back.unique,
        duplicates: back.duplicates,
        runs: back.runIds.length,
      },
      // CPU over the window from the request to resolution done; ms per 1,000 targets.
      cpu: {
        seconds: cpu.seconds,
        byProcess: cpu.byProcess,
        msPer1000Targets: Object.fromEntries(
          Object.entries(cpu.byProcess).map(([name, s]) => [name, msPer1000(s)]),
        ),
      },
      memory: { byProcess: usage.byProcess },
      // One row per half second: seconds since the request, targets recorded on the run, pages on the topic.
      progressColumns: ['t', 'targeted', 'pages'],
      progress: followed.progress,
      target: AUDIENCE_TARGET,
    };
    if (contacts === AUDIENCE_TARGET.contacts)
      result.meetsTarget =
        complete && resolvedMs !== null && resolvedMs / 1000 <= AUDIENCE_TARGET.seconds;
    else
      result.meetsTargetRate =
        complete &&
        result.targetsPerSec !== null &&
        result.targetsPerSec >= AUDIENCE_TARGET.contacts / AUDIENCE_TARGET.seconds;
    log(
      `${label}: ${followed.outcome} in ${resolvedMs} ms (${result.targetsPerSec}/s); ` +
        `${back.records} pages, ${back.unique.toLocaleString('en')} unique targets, ${back.duplicates} duplicates; ` +
        `CPU audience ${cpu.byProcess.audience ?? '—'} s, postgres ${cpu.byProcess['postgres (infrastructure)'] ?? '—'} s`,
    );
    return result;
  } finally {
    await db.end().catch(() => undefined);
    await kafkaAdmin.disconnect().catch(() => undefined);
    await stack.stop();
  }
}
