// delivery: what one delivery instance sustains on its own. The rest of the pipeline first
// fills `delivery.requested.sms.v1` with N people while delivery-sms is stopped; then the one
// instance starts and drains the queue, measured at the sandbox (first → last send). Once with
// the sandbox answering at once and once with 50 ms of provider latency (the in-flight window
// must hide it), and once on an account paced at a configured rate (how close the sends keep to
// it). The upstream stages are idle by then, so the figure is the delivery instance's.
import { seedContacts } from '../lib/contacts.seed.mjs';
import { adminClient } from '../lib/herald.admin.mjs';
import { SERVICE_NAMES, startStack } from '../lib/herald.stack.mjs';
import { kafkaClient } from '../lib/infra.mjs';
import { startMemorySampler } from '../lib/memory.sampler.mjs';
import { providerCeiling } from '../lib/provider.ceiling.mjs';
import { caughtUp, steadyRate } from '../lib/drain.mjs';
import { sandboxClient } from '../lib/sandbox.client.mjs';
import { ratio, round } from '../lib/stats.mjs';

/** ARCHITECTURE.md / the delivery issue: per instance, at 0 and 50 ms of provider latency; pacing within 5 %. */
export const DELIVERY_TARGET = { atZeroMs: 5_000, atFiftyMs: 2_000, pacingTolerance: 0.05 };
/** First tries travel many people to a record: the contact service's progress on pages counts them. */
const PAGES = 'target.resolved.v1';
/** The services' in-flight bound (DELIVERY_CONCURRENCY, default 256), and the ceiling loop's. */
const CONCURRENCY = Number(process.env.DELIVERY_CONCURRENCY ?? 256);
const SERVICE = 'delivery-sms';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what, check, timeoutMs, { stack, everyMs = 500 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    stack?.assertAlive();
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * One case: stop the delivery instance, queue every contact of `bot` for it, start it again and
 * time the drain at the sandbox. Resolves to the case's figures.
 */
async function drain({ stack, kafkaAdmin, admin, sandbox, bot, people, latencyMs, log, label }) {
  const pages = `${stack.prefix}${PAGES}`;
  await stack.kill(SERVICE, 'SIGTERM');
  await sandbox.reset();
  if (latencyMs > 0) await sandbox.faults({ channel: 'sms', latencyMs });
  const { runId } = await admin.runBroadcast(bot.broadcastId);
  const queuedAt = Date.now();
  // Everyone is queued once the run's pages are all out and the contact service has turned each
  // into delivery requests (it publishes them, then commits the page).
  await waitFor(
    `${people.toLocaleString('en')} deliveries queued for ${SERVICE}`,
    async () =>
      ((await admin.getRun(runId))?.counts?.targeted ?? 0) >= people &&
      (await caughtUp(kafkaAdmin, `${stack.prefix}herald-contact.${PAGES}`, pages)),
    Math.max(120_000, people * 10),
    { stack },
  );
  log(
    `${label}: ${people.toLocaleString('en')} queued in ${((Date.now() - queuedAt) / 1000).toFixed(1)} s; starting ${SERVICE}`,
  );
  await stack.restart(SERVICE);
  const meter = startMemorySampler(() => {
    const pid = stack.pids()[SERVICE];
    return pid ? { [SERVICE]: pid } : {};
  });
  const stats = await waitFor(
    `${people.toLocaleString('en')} sends at the sandbox`,
    async () => {
      const s = await sandbox.stats();
      return s.unique >= people ? s : null;
    },
    Math.max(120_000, people * 20),
    { stack },
  );
  const usage = await meter.stop();
  const spanS = Math.max(0.001, (Date.parse(stats.lastAt) - Date.parse(stats.firstAt)) / 1000);
  return {
    runId,
    people,
    latencyMs,
    unique: stats.unique,
    duplicates: stats.duplicates,
    seconds: round(spanS, 2),
    sendsPerSec: round(people / spanS),
    cpuCores:
      usage.cpu.byProcess[SERVICE] !== undefined
        ? round(usage.cpu.byProcess[SERVICE] / usage.cpu.seconds, 2)
        : null,
    peakMb: usage.byProcess[SERVICE]?.peakMb ?? null,
  };
}

export async function delivery(ctx) {
  const { args, log } = ctx;
  const label = 'delivery';
  const people = args.deliveryContacts;
  const pacedRate = args.pacedRate;
  const pacedPeople = pacedRate * args.pacedSeconds;
  const stack = await startStack({
    ...ctx.stackOptions,
    label,
    prefix: `${ctx.prefixBase}${label}.`,
    services: SERVICE_NAMES,
    sandbox: true,
    log,
  });
  const kafka = kafkaClient(stack.brokers, 'herald-bench-delivery');
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  try {
    const admin = adminClient(stack);
    const sandbox = sandboxClient(stack.sandboxUrl);
    const fast = await admin.setupBot({ name: 'Bench delivery bot', channels: ['sms'] });
    const paced = await admin.setupBot({
      name: 'Bench paced bot',
      channels: ['sms'],
      messagesPerSecond: pacedRate,
    });
    log(
      `${label}: seeding ${people.toLocaleString('en')} + ${pacedPeople.toLocaleString('en')} SMS contacts`,
    );
    await seedContacts({
      databaseUrl: stack.databaseUrl,
      botId: fast.botId,
      count: people,
      channels: ['sms'],
    });
    await seedContacts({
      databaseUrl: stack.databaseUrl,
      botId: paced.botId,
      count: pacedPeople,
      channels: ['sms'],
    });

    const cases = [];
    for (const latencyMs of [0, 50]) {
      const result = await drain({
        stack,
        kafkaAdmin,
        admin,
        sandbox,
        bot: fast,
        people,
        latencyMs,
        log,
        label,
      });
      // The limit, same run: a bare undici loop against the sandbox at the same latency, with
      // as many requests in flight as the instance may have (DELIVERY_CONCURRENCY).
      if (!args.skipCeilings) {
        await sandbox.reset();
        if (latencyMs > 0) await sandbox.faults({ channel: 'sms', latencyMs });
        result.ceiling = await providerCeiling({
          sandboxUrl: stack.sandboxUrl,
          channels: ['sms'],
          concurrency: CONCURRENCY,
          durationS: args.ceilingDuration,
          maxRequests: people,
        }).catch((err) => ({ error: err.message }));
        await sandbox.reset();
        result.ratio = ratio(result.sendsPerSec, result.ceiling.perSec);
      }
      log(
        `${label}: ${latencyMs} ms provider latency: ${result.sendsPerSec}/s (${result.cpuCores} cores)` +
          (result.ceiling?.perSec ? `; bare undici loop ${result.ceiling.perSec}/s` : ''),
      );
      cases.push(result);
    }
    const pacing = await drain({
      stack,
      kafkaAdmin,
      admin,
      sandbox,
      bot: paced,
      people: pacedPeople,
      latencyMs: 0,
      log,
      label,
    });
    const rate = await steadyRate(sandbox);
    pacing.configuredPerSec = pacedRate;
    pacing.steadyPerSec = rate === null ? null : round(rate, 1);
    pacing.error = rate === null ? null : round(Math.abs(rate / pacedRate - 1), 4);
    log(`${label}: paced at ${pacedRate}/s: ${pacing.steadyPerSec}/s in steady state`);

    const [zero, fifty] = cases;
    return {
      service: SERVICE,
      concurrency: CONCURRENCY,
      target: DELIVERY_TARGET,
      cases,
      pacing,
      meetsTarget: {
        atZeroMs: zero.sendsPerSec >= DELIVERY_TARGET.atZeroMs,
        atFiftyMs: fifty.sendsPerSec >= DELIVERY_TARGET.atFiftyMs,
        pacing: pacing.error !== null && pacing.error <= DELIVERY_TARGET.pacingTolerance,
      },
      complete: [...cases, pacing].every((c) => c.unique >= c.people && c.duplicates === 0),
    };
  } finally {
    await kafkaAdmin.disconnect().catch(() => undefined);
    await stack.stop();
  }
}
