// scale-out: limits that hold across replicas (issue 14). One SMS account paced at a configured
// rate is drained by one delivery-sms replica, then by three: the three together must send at
// the account's rate (within 5 %), not three times it, and the coordination (claiming send slots
// from PostgreSQL) must not make the CPU per delivery grow by more than 10 %. Each case starts its
// replicas, waits until they all answer, then runs the broadcast and measures at the sandbox (the
// CPU meter covers the broadcast alone: replicas booting and joining their groups are not sends).
import { seedContacts } from '../lib/contacts.seed.mjs';
import { adminClient } from '../lib/herald.admin.mjs';
import { SERVICE_NAMES, startStack } from '../lib/herald.stack.mjs';
import { startMemorySampler } from '../lib/memory.sampler.mjs';
import { steadyRate } from '../lib/drain.mjs';
import { sandboxClient } from '../lib/sandbox.client.mjs';
import { round } from '../lib/stats.mjs';

export const SCALE_OUT_TARGET = { rateTolerance: 0.05, cpuGrowth: 0.1 };
const REPLICAS = ['delivery-sms', 'delivery-sms#2', 'delivery-sms#3'];
/** How long the started replicas are watched doing nothing, for their idle CPU. */
const IDLE_SECONDS = 5;
/**
 * Seconds of the account's rate each case first sends to a bot of its own, unmeasured: a replica
 * just started compiles its hot paths while it sends (V8's optimising compiler runs on threads
 * of the process, and the meter counts them). Three cold replicas pay that three times for the
 * same sends, which is start-up cost, not coordination; both cases are measured warm.
 */
const WARM_UP_SECONDS = 5;

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

/** Starts `replicas` of the paced service, runs the broadcast to everyone, measures the sends. */
async function drain({ stack, admin, sandbox, bot, warmUp, people, replicas, log }) {
  for (const name of REPLICAS) await stack.kill(name, 'SIGTERM');
  await sandbox.reset();
  const names = REPLICAS.slice(0, replicas);
  await Promise.all(names.map((name) => stack.restart(name)));
  await admin.runBroadcast(warmUp.bot.broadcastId);
  await until(
    `${warmUp.people} warm-up sends at the sandbox`,
    async () => (await sandbox.stats()).unique >= warmUp.people,
    Math.max(60_000, warmUp.people * 20),
    stack,
  );
  await sandbox.reset();
  const pidsOf = () =>
    Object.fromEntries(names.map((n) => [n, stack.pids()[n]]).filter(([, pid]) => pid));
  // What the replicas spend doing nothing (heartbeats, fetches, timers), so the CPU the sends
  // cost can be told from what each extra process costs by merely running.
  const idleMeter = startMemorySampler(pidsOf);
  await sleep(IDLE_SECONDS * 1000);
  const idle = await idleMeter.stop();
  const idleCoresOf = (n) => (idle.cpu.byProcess[n] ?? 0) / idle.cpu.seconds;
  const meter = startMemorySampler(pidsOf);
  await admin.runBroadcast(bot.broadcastId);
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
  const idleSeconds = names.reduce((sum, n) => sum + idleCoresOf(n) * usage.cpu.seconds, 0);
  const workSeconds = Math.max(0, cpuSeconds - idleSeconds);
  const result = {
    replicas,
    people,
    unique: stats.unique,
    duplicates: stats.duplicates,
    steadyPerSec: rate === null ? null : round(rate, 1),
    cpuSeconds: round(cpuSeconds, 2),
    cpuMsPerDelivery: round((cpuSeconds * 1000) / people, 3),
    /** The replicas' CPU while idle, per second, summed: what running them costs before any send. */
    idleCores: round(idleSeconds / usage.cpu.seconds, 3),
    /** CPU per delivery above that idle cost: the sends and their coordination. */
    workMsPerDelivery: round((workSeconds * 1000) / people, 3),
    peakMb: Object.fromEntries(names.map((n) => [n, usage.byProcess[n]?.peakMb ?? null])),
  };
  log(
    `scale-out: ${replicas} replica(s): ${result.steadyPerSec}/s, ${result.cpuMsPerDelivery} ms CPU per delivery ` +
      `(${result.workMsPerDelivery} ms above the replicas' idle ${result.idleCores} cores)`,
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
    // Its own account, paced like the measured one: the warm-up never spends the measured account's slots.
    const warmUp = {
      bot: await admin.setupBot({
        name: 'Bench scale-out warm-up bot',
        channels: ['sms'],
        messagesPerSecond: rate,
      }),
      people: rate * WARM_UP_SECONDS,
    };
    await seedContacts({
      databaseUrl: stack.databaseUrl,
      botId: warmUp.bot.botId,
      count: warmUp.people,
      channels: ['sms'],
    });
    const one = await drain({ stack, admin, sandbox, bot, warmUp, people, replicas: 1, log });
    const three = await drain({ stack, admin, sandbox, bot, warmUp, people, replicas: 3, log });
    const off = (c) =>
      c.steadyPerSec === null ? null : round(Math.abs(c.steadyPerSec / rate - 1), 4);
    // Coordination is judged on the work per delivery; the idle cost of each extra process is
    // reported beside it (it does not grow with the deliveries).
    const cpuGrowth =
      one.workMsPerDelivery > 0
        ? round(three.workMsPerDelivery / one.workMsPerDelivery - 1, 3)
        : null;
    const grossCpuGrowth =
      one.cpuMsPerDelivery > 0 ? round(three.cpuMsPerDelivery / one.cpuMsPerDelivery - 1, 3) : null;
    return {
      configuredPerSec: rate,
      target: SCALE_OUT_TARGET,
      warmUpPeople: warmUp.people,
      cases: [one, three].map((c) => ({ ...c, rateError: off(c) })),
      cpuGrowth,
      grossCpuGrowth,
      meetsTarget: {
        oneReplicaRate: off(one) !== null && off(one) <= SCALE_OUT_TARGET.rateTolerance,
        threeReplicasRate: off(three) !== null && off(three) <= SCALE_OUT_TARGET.rateTolerance,
        cpuGrowth: cpuGrowth !== null && cpuGrowth <= SCALE_OUT_TARGET.cpuGrowth,
      },
      complete: [one, three].every((c) => c.unique >= c.people && c.duplicates === 0),
    };
  } finally {
    await stack.stop();
  }
}
