// The Kafka layout a fault run asks for. The 3-node cluster's node 1 listens on 9092, where the
// single-node broker every other test uses also listens, so they cannot run side by side. For a
// cluster run: a single-node broker these scripts started is stopped only when no client is
// connected to it (or when the caller insists), and started again as it was at cleanup; a broker
// these scripts did not start is never touched.
import { spawnSync } from 'node:child_process';
import {
  ensureKafkaJars,
  kafkaStatus,
  kafkaVersion,
  kafkaPaths,
  nodePorts,
  startKafka,
  stopKafka,
} from '../../scripts/lib/kafka.mjs';
import { onCleanup } from './cleanup.mjs';

/** Pids (other than `exceptPid`) with an established TCP connection to 127.0.0.1:`port`, from `ss -tnp`. */
export function clientsOf(port, exceptPid) {
  const out = spawnSync('ss', ['-Htnp', 'state', 'established', `( dport = :${port} )`], {
    encoding: 'utf8',
  });
  if (out.status !== 0) return null; // unknown: the caller treats it as "in use"
  const pids = new Set();
  for (const line of out.stdout.split('\n')) {
    for (const m of line.matchAll(/pid=(\d+)/g)) {
      const pid = Number(m[1]);
      if (pid !== exceptPid) pids.add(pid);
    }
  }
  return [...pids];
}

/**
 * Makes the requested layout run. Resolves to { brokers, nodes, version, libDir, pids,
 * replaced: 'single' | null, startedByUs }. `stopSingle` lets a cluster run stop a
 * single-node broker that has clients.
 */
export async function useKafkaLayout({ nodes, stopSingle = false, log = () => {} }) {
  await ensureKafkaJars({ log });
  const version = kafkaVersion();
  const libDir = kafkaPaths({ nodes, version }).libDir;
  if (nodes === 1) {
    const kafka = await startKafka({ nodes: 1, detached: true, log });
    if (kafka.startedByUs && !process.env.HERALD_KEEP_KAFKA)
      onCleanup('stop Kafka', () => stopKafka({ nodes: 1, log }));
    return { brokers: kafka.brokers, nodes, version, libDir, pids: kafka.pids, replaced: null };
  }

  const status = await kafkaStatus();
  let replaced = null;
  const node1 = status.nodes.find((n) => n.node === 1);
  if (node1?.clientPortOpen && status.layout !== 'cluster3') {
    if (!node1.running)
      throw new Error(
        `a Kafka broker not started by these scripts answers on ${nodePorts(1).client}; the 3-node ` +
          'cluster needs that port. Stop it, or run with --nodes 1.',
      );
    const clients = clientsOf(nodePorts(1).client, node1.pid);
    if ((clients === null || clients.length > 0) && !stopSingle)
      throw new Error(
        `the single-node broker on ${nodePorts(1).client} is in use (${clients === null ? 'ss could not tell' : `client pids ${clients.join(', ')}`}); ` +
          'the 3-node cluster needs its port. Run the fault suite when nothing else runs, pass ' +
          '--stop-single to stop it anyway (it is restarted at the end), or use --nodes 1.',
      );
    log(
      `stopping the single-node broker on ${nodePorts(1).client} for the 3-node cluster (restarted at the end)`,
    );
    await stopKafka({ nodes: 1, log });
    replaced = 'single';
  }
  const kafka = await startKafka({ nodes: 3, detached: true, log });
  if (kafka.startedByUs || replaced)
    onCleanup(
      'stop the 3-node cluster, and restart the single-node broker it replaced',
      async () => {
        // Someone else's tests may have found the cluster's node 1 on 9092 meanwhile and be using
        // it as their broker: then stopping it would break them, so it is left running.
        // Fresh pids: a node restarted by a fault has a new one.
        const brokerPids = new Set((await kafkaStatus()).nodes.map((n) => n.pid).filter(Boolean));
        const others = (clientsOf(nodePorts(1).client) ?? []).filter(
          (pid) => pid !== process.pid && !brokerPids.has(pid),
        );
        if (others.length) {
          log(
            `the 3-node cluster has other clients (pids ${others.join(', ')}): left running. ` +
              'Later: node scripts/infra.mjs down && node scripts/infra.mjs up',
          );
          return;
        }
        await stopKafka({ nodes: 3, log });
        if (replaced) await startKafka({ nodes: 1, detached: true, log });
      },
    );
  return {
    brokers: kafka.brokers,
    nodes,
    version,
    libDir,
    pids: kafka.pids,
    replaced,
    startedByUs: kafka.startedByUs,
  };
}
