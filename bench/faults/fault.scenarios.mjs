// The faults, each as the cases (one broadcast each) it runs. A case names the duplicates it
// allows and why: zero, except where a process dies between a provider accepting a send and
// Herald recording it — then at most DELIVERY_MAX_UNRECORDED per such death: a delivery service
// starts no send while that many people are sent and not yet recorded.
import { startKafkaNode, stopKafkaNode } from '../../scripts/lib/kafka.mjs';
import { startPostgres, stopPostgres } from '../../scripts/lib/postgres.mjs';
import pg from 'pg';
import { SERVICE_NAMES } from '../lib/herald.stack.mjs';
import { checkPoison, injectPoison } from './poison.inject.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The Kafka node killed by kill-broker: not node 1, whose port is every client's first bootstrap address. */
const BROKER_NODE = 2;
/** A killed service is restarted after this long: enough for the rest of the pipeline to notice. */
const DOWN_MS = 2_000;
/** The scale scenario takes a delivery service from one replica to this many, and back to one. */
const SCALE_TO = 3;
/** How long the added replicas may take from ready to their first send. */
const FIRST_SEND_MS = 60_000;

const isDelivery = (name) => name.startsWith('delivery-');

/** Resolves to [{ scenario, name, fault, duplicatesAllowed, duplicatesWhy, hooks }] for the selection. */
export function faultCases(args) {
  const cases = [];
  const window = () =>
    `kill -9 between a provider accepting a send and Herald recording it: at most DELIVERY_MAX_UNRECORDED (${args.unrecorded}) people sent and not yet recorded`;
  if (args.scenarios.includes('kill-9')) {
    for (const service of args.kill) {
      cases.push({
        scenario: 'kill-9',
        name: `kill-9 ${service}`,
        duplicatesAllowed: isDelivery(service) ? args.unrecorded : 0,
        // The stages before delivery finish early (delivery is paced): hit them at the first delivery.
        triggerShare: isDelivery(service) ? 0.25 : 0.01,
        duplicatesWhy: isDelivery(service) ? window() : 'no provider call is made by this service',
        fault: async ({ stack, note }) => {
          await stack.kill(service, 'SIGKILL');
          note(`kill -9 ${service}`);
          await sleep(DOWN_MS);
          await stack.restart(service);
          note(`${service} restarted and ready`);
        },
      });
    }
  }
  if (args.scenarios.includes('kill-broker')) {
    cases.push({
      scenario: 'kill-broker',
      name: `kill-9 Kafka node ${BROKER_NODE}`,
      hooks: true,
      duplicatesAllowed: 0,
      duplicatesWhy: 'no Herald process dies; replication 3, min in-sync 2',
      fault: async ({ note, args: a }) => {
        const stopped = await stopKafkaNode(BROKER_NODE, 'SIGKILL');
        if (!stopped.wasRunning) throw new Error(`Kafka node ${BROKER_NODE} was not running`);
        note(`kill -9 Kafka node ${BROKER_NODE} (pid ${stopped.pid})`);
        await sleep(a.brokerDown * 1000);
        const back = await startKafkaNode(BROKER_NODE, { log: () => {} });
        note(
          `Kafka node ${BROKER_NODE} restarted, back in the cluster after ${(back.elapsedMs / 1000).toFixed(1)} s`,
        );
        // Hook calls go on a little longer, across the node's return.
        await sleep(5_000);
      },
    });
  }
  if (args.scenarios.includes('restart-postgres')) {
    cases.push({
      scenario: 'restart-postgres',
      name: `PostgreSQL down ${args.postgresDown} s`,
      duplicatesAllowed: 0,
      duplicatesWhy:
        'no Herald process dies: what a provider accepted while the server was down is recorded once it is back (the recorder waits out the outage, the batch keeps its partition and its rows)',
      fault: async ({ note, env, args: a }) => {
        const others = await otherDatabaseClients(env.databaseUrl);
        if (others.length && !a.restartSharedPostgres)
          throw new Error(
            `PostgreSQL serves other work too (${others.join(', ')}): not stopped. Run when nothing else ` +
              'runs, or pass --restart-shared-postgres',
          );
        note(`stopping PostgreSQL for ${a.postgresDown} s`);
        await stopPostgres(env.databaseUrl);
        await sleep(a.postgresDown * 1000);
        const started = Date.now();
        await startPostgres(env.databaseUrl);
        note(
          `PostgreSQL back, accepting connections after ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      },
    });
  }
  if (args.scenarios.includes('sandbox')) {
    const half = Math.max(1, Math.round(args.outage / 2));
    cases.push({
      scenario: 'sandbox',
      name: `sandbox down ${args.outage} s, 20 % errors ${half} s, 500 ms slow ${half} s`,
      duplicatesAllowed: 0,
      duplicatesWhy: 'no Herald process dies',
      fault: async ({ sandbox, note, env }) => {
        const phase = async (body, seconds, what) => {
          for (const channel of env.channels) await sandbox.faults({ channel, ...body });
          const before = await sandbox.stats();
          note(`${what} for ${seconds} s`);
          await sleep(seconds * 1000);
          const after = await sandbox.stats();
          const faulted = (s) =>
            env.channels.reduce((n, c) => n + (s.byChannel?.[c]?.faulted ?? 0), 0);
          note(
            `${what}: ${faulted(after) - faulted(before)} requests answered with the fault, ${after.unique - before.unique} accepted`,
          );
        };
        await phase({ outage: true }, args.outage, 'outage');
        await phase({ outage: false, errorRate: 0.2 }, half, '20 % errors');
        await phase({ errorRate: 0, latencyMs: 500 }, half, '500 ms answers');
        await sandbox.faults({});
        note('sandbox healthy again');
      },
    });
  }
  if (args.scenarios.includes('rolling-restart')) {
    cases.push({
      scenario: 'rolling-restart',
      name: 'SIGTERM rolling restart of every service',
      duplicatesAllowed: 0,
      duplicatesWhy: 'a SIGTERM drains: nothing in flight is lost or sent twice',
      fault: async ({ stack, note }) => {
        for (const service of SERVICE_NAMES) {
          const started = Date.now();
          const exit = await stack.kill(service, 'SIGTERM');
          note(
            `SIGTERM ${service}: exited ${exit?.signal ?? `with code ${exit?.code}`} after ${((Date.now() - started) / 1000).toFixed(1)} s`,
          );
          await stack.restart(service);
          note(`${service} restarted and ready`);
        }
      },
    });
  }
  if (args.scenarios.includes('scale')) {
    cases.push({
      scenario: 'scale',
      name: `scale ${args.scale.join(', ')} 1 → ${SCALE_TO} → 1 replicas`,
      duplicatesAllowed: 0,
      duplicatesWhy:
        'replicas join (their groups rebalance) and leave by SIGTERM (a drain): nothing in flight is lost or sent twice',
      // At the first deliveries: the broadcast must still be sending while replicas boot, join,
      // send and leave (size it with --contacts and --rate so it lasts well beyond a boot).
      triggerShare: 0.01,
      fault: async ({ stack, sandbox, note, env }) => {
        const everyoneReached = async () => (await sandbox.stats()).unique >= env.contacts;
        // Every service is back to one replica before the fault is over, even when one failed.
        const outcomes = await Promise.allSettled(
          args.scale.map((service) => scaleOutAndIn(stack, service, note, everyoneReached)),
        );
        const failed = outcomes.find((o) => o.status === 'rejected');
        if (failed) throw failed.reason;
      },
    });
  }
  if (args.scenarios.includes('poison')) {
    cases.push({
      scenario: 'poison',
      name: 'poison through the hook API and straight into every topic',
      duplicatesAllowed: 0,
      duplicatesWhy: 'no Herald process dies',
      // The one case whose records belong in a DLQ: every poison record, with its reason.
      deadLettersExpected: true,
      fault: async ({ stack, note, env }) => {
        env.poison = await injectPoison({
          stack,
          hookBot: env.hookBot,
          botId: env.bot.botId,
          note,
        });
      },
      verify: (env) => checkPoison(env, env.poison),
    });
  }
  return cases;
}

/**
 * One delivery service from 1 to SCALE_TO replicas (each added one a process of its own in the
 * service's consumer groups), waited for until they send, then back to 1: the added replicas get
 * SIGTERM together, newest first as a ReplicaSet scales in, while the broadcast still runs.
 */
async function scaleOutAndIn(stack, service, note, everyoneReached) {
  const added = Array.from({ length: SCALE_TO - 1 }, (_, i) => `${service}#${i + 2}`);
  const before = await sentBy(stack, service);
  try {
    await Promise.all(
      added.map(async (name) => {
        const started = Date.now();
        await stack.add(name);
        note(`${name} joined: ready after ${seconds(started)} s`);
      }),
    );
    // Ready means each added replica joined every group and was given its share of partitions
    // (a service starts consuming only once its groups rebalanced). The scale-up took work once
    // they send: one of them may hold only partitions the first replica had already finished.
    const deadline = Date.now() + FIRST_SEND_MS;
    for (;;) {
      const sends = await Promise.all(added.map((name) => sentBy(stack, name)));
      if (sends.some((n) => n > 0)) {
        note(
          `${service}: ${SCALE_TO} replicas, the added ones sending (${added.map((name, i) => `${name} ${sends[i]}`).join(', ')} sent so far)`,
        );
        break;
      }
      const ended = await everyoneReached();
      if (ended || Date.now() > deadline)
        throw new Error(
          `${added.join(', ')} sent nothing ${ended ? 'before the broadcast ended' : `within ${FIRST_SEND_MS / 1000} s of joining`}: the scale-up took no work (make the broadcast last longer: more --contacts or a lower --rate)`,
        );
      await sleep(250);
    }
  } finally {
    await Promise.all(
      added.map(async (name) => {
        const entry = stack.processes.get(name);
        if (!entry || entry.exit) return;
        const sent = await sentBy(stack, name).catch(() => '?');
        const started = Date.now();
        const exit = await stack.kill(name, 'SIGTERM');
        note(
          `${name} left: SIGTERM with ${sent} sent, exited ${exit?.signal ?? `with code ${exit?.code}`} after ${seconds(started)} s`,
        );
      }),
    );
  }
  note(
    `${service}: back to 1 replica (it had sent ${(await sentBy(stack, service)) - before} in this case so far)`,
  );
}

const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1);

/** The people a delivery process sent since it started (its counter of sent outcomes). */
async function sentBy(stack, name) {
  const response = await fetch(`${stack.urlOf(name)}/metrics`);
  if (!response.ok) throw new Error(`${name}: GET /metrics answered ${response.status}`);
  let sent = 0;
  for (const [, labels, value] of (await response.text()).matchAll(
    /^herald_deliveries_total\{([^}]*)\} (\S+)$/gm,
  ))
    if (labels.includes('status="sent"')) sent += Number(value);
  return sent;
}

/** "<database> ×n" for client connections to databases other than the run's own (others' tests). */
async function otherDatabaseClients(databaseUrl) {
  const own = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT datname, count(*)::int AS n FROM pg_stat_activity
        WHERE backend_type = 'client backend' AND datname IS NOT NULL AND datname <> $1
          AND pid <> pg_backend_pid()
        GROUP BY datname ORDER BY datname`,
      [own],
    );
    return rows.map((r) => `${r.datname} ×${r.n}`);
  } finally {
    await client.end().catch(() => {});
  }
}
