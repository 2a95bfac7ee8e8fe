// The faults, each as the cases (one broadcast each) it runs. A case names the duplicates it
// allows and why: zero, except where a process dies between a provider accepting a send and
// Herald recording it — then at most the in-flight limit (DELIVERY_CONCURRENCY) per such death.
import { startKafkaNode, stopKafkaNode } from '../../scripts/lib/kafka.mjs';
import { restartPostgres } from '../../scripts/lib/postgres.mjs';
import pg from 'pg';
import { SERVICE_NAMES } from '../lib/herald.stack.mjs';
import { checkPoison, injectPoison } from './poison.inject.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The Kafka node killed by kill-broker: not node 1, whose port is every client's first bootstrap address. */
const BROKER_NODE = 2;
/** A killed service is restarted after this long: enough for the rest of the pipeline to notice. */
const DOWN_MS = 2_000;

const isDelivery = (name) => name.startsWith('delivery-');

/** Resolves to [{ scenario, name, fault, duplicatesAllowed, duplicatesWhy, hooks }] for the selection. */
export function faultCases(args) {
  const cases = [];
  const window = (n) =>
    `kill -9 between a provider accepting a send and Herald recording it: at most DELIVERY_CONCURRENCY (${args.concurrency}) × ${n}`;
  if (args.scenarios.includes('kill-9')) {
    for (const service of args.kill) {
      cases.push({
        scenario: 'kill-9',
        name: `kill-9 ${service}`,
        duplicatesAllowed: isDelivery(service) ? args.concurrency : 0,
        // The stages before delivery finish early (delivery is paced): hit them at the first delivery.
        triggerShare: isDelivery(service) ? 0.25 : 0.01,
        duplicatesWhy: isDelivery(service) ? window(1) : 'no provider call is made by this service',
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
    const deliveries = SERVICE_NAMES.filter(isDelivery).length;
    cases.push({
      scenario: 'restart-postgres',
      name: 'restart PostgreSQL',
      duplicatesAllowed: args.concurrency * deliveries,
      duplicatesWhy: `a send the provider accepted whose record failed while the server was down is sent again once its lease ends: the kill -9 window, at most DELIVERY_CONCURRENCY (${args.concurrency}) × ${deliveries} delivery services`,
      fault: async ({ note, env, args: a }) => {
        const others = await otherDatabaseClients(env.databaseUrl);
        if (others.length && !a.restartSharedPostgres)
          throw new Error(
            `PostgreSQL serves other work too (${others.join(', ')}): not restarted. Run when nothing else ` +
              'runs, or pass --restart-shared-postgres',
          );
        const started = Date.now();
        note('restarting PostgreSQL');
        await restartPostgres(env.databaseUrl);
        note(`PostgreSQL back after ${((Date.now() - started) / 1000).toFixed(1)} s`);
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
