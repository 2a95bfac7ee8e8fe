// scale-out: limits that hold across replicas (issue 14). One SMS account paced at a configured
// rate is drained by one delivery-sms replica, then by three: the three together must send at
// the account's rate (within 5 %), not three times it, and the coordination (claiming send slots
// from PostgreSQL) must not make the CPU per delivery grow by more than 10 %. Each case queues
// its people while the replicas are stopped, then starts them and measures at the sandbox.
import { seedContacts } from '../lib/contacts.seed.mjs';
import { adminClient } from '../lib/herald.admin.mjs';
import { SERVICE_NAMES, startStack } from '../lib/herald.stack.mjs';
import { kafkaClient } from '../lib/infra.mjs';
import { startMemorySampler } from '../lib/memory.sampler.mjs';
import { caughtUp, steadyRate } from '../lib/drain.mjs';
import { sandboxClient } from '../lib/sandbox.client.mjs';
import { round } from '../lib/stats.mjs';

export const SCALE_OUT_TARGET = { rateTolerance: 0.05, cpuGrowth: 0.1 };
/** First tries travel many people to a record: the contact service's progress on pages counts them. */
const PAGES = 'target.resolved.v1';
const REPLICAS = ['delivery-sms', 'delivery-sms#2', 'delivery-sms#3'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what, check, timeoutMs, stack) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    stack.assertAlive();
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(500);
  }
}

/** Queues everyone for the stopped replicas, starts `replicas` of them, measures the drain. */
async function drain({ stack, kafkaAdmin, admin, sandbox, bot, people, replicas, log }) {
  const pages = `${stack.prefix}${PAGES}`;
  for (const name of REPLICAS) await stack.kill(name, 'SIGTERM');
  await sandbox.reset();
  const { runId } = await admin.runBroadcast(bot.broadcastId);
  await until(
    `${people} deliveries queued`,
    async () =>
      ((await admin.getRun(runId))?.counts?.targeted ?? 0) >= people &&
      (await caughtUp(kafkaAdmin, `${stack.prefix}herald-contact.${PAGES}`, pages)),
    Math.max(120_000, people * 10),
    stack,
  );
  const names = REPLICAS.slice(0, replicas);
  await Promise.all(names.map((name) => stack.restart(name)));
  const meter = startMemorySampler(() =>
    Object.fromEntries(names.map((n) => [n, stack.pids()[n]]).filter(([, pid]) => pid)),
  );
  const stats = await until(
    `${people} sends at the sandbox`,
    async () => {
      const s = await sandbox.stats();
      return s.unique >= people ? s : null;
    },
    Math.max(180_000, people * 20),
    stack,
  );
  const usage = await meter.stop();
  const rate = await steadyRate(sandbox);
  const cpuSeconds = names.reduce((sum, n) => sum + (usage.cpu.byProcess[n] ?? 0), 0);
  const result = {
    replicas,
    people,
    unique: stats.unique,
    duplicates: stats.duplicates,
    steadyPerSec: rate === null ? null : round(rate, 1),
    cpuSeconds: round(cpuSeconds, 2),
    cpuMsPerDelivery: round((cpuSeconds * 1000) / people, 3),
    peakMb: Object.fromEntries(names.map((n) => [n, usage.byProcess[n]?.peakMb ?? null])),
  };
  log(
    `scale-out: ${replicas} replica(s): ${result.steadyPerSec}/s, ${result.cpuMsPerDelivery} ms CPU per delivery`,
  );
  return result;
}

export async function scaleOut(ctx) {
  const { args, log } = ctx;
  const label = 'scale-out';
  const rate = args.pacedRate;
  const people = rate * args.pacedSeconds;
  const stack = await startStack({
    ...ctx.stackOptions,
    label,
    prefix: `${ctx.prefixBase}${label}.`,
    services: [...SERVICE_NAMES, ...REPLICAS.slice(1)],
    sandbox: true,
    log,
  });
  const kafkaAdmin = kafkaClient(stack.brokers, 'herald-bench-scale-out').admin();
  await kafkaAdmin.connect();
  try {
    const admin = adminClient(stack);
    const sandbox = sandboxClient(stack.sandboxUrl);
    const bot = await admin.setupBot({
      name: 'Bench scale-out bot',
      channels: ['sms'],
      messagesPerSecond: rate,
    });
    log(
      `${label}: seeding ${people.toLocaleString('en')} SMS contacts for one account paced at ${rate}/s`,
    );
    await seedContacts({
      databaseUrl: stack.databaseUrl,
      botId: bot.botId,
      count: people,
      channels: ['sms'],
    });
    const one = await drain({ stack, kafkaAdmin, admin, sandbox, bot, people, replicas: 1, log });
    const three = await drain({ stack, kafkaAdmin, admin, sandbox, bot, people, replicas: 3, log });
    const off = (c) =>
      c.steadyPerSec === null ? null : round(Math.abs(c.steadyPerSec / rate - 1), 4);
    const cpuGrowth =
      one.cpuMsPerDelivery > 0 ? round(three.cpuMsPerDelivery / one.cpuMsPerDelivery - 1, 3) : null;
    return {
      configuredPerSec: rate,
      target: SCALE_OUT_TARGET,
      cases: [one, three].map((c) => ({ ...c, rateError: off(c) })),
      cpuGrowth,
      meetsTarget: {
        oneReplicaRate: off(one) !== null && off(one) <= SCALE_OUT_TARGET.rateTolerance,
        threeReplicasRate: off(three) !== null && off(three) <= SCALE_OUT_TARGET.rateTolerance,
        cpuGrowth: cpuGrowth !== null && cpuGrowth <= SCALE_OUT_TARGET.cpuGrowth,
      },
      complete: [one, three].every((c) => c.unique >= c.people && c.duplicates === 0),
    };
  } finally {
    await kafkaAdmin.disconnect().catch(() => undefined);
    await stack.stop();
  }
}
