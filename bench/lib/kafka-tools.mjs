// Apache Kafka's own measuring tools, run from the jars the scripts fetched (kafka-tools is in
// .cache/kafka/<version>/lib): ProducerPerformance (the broker's throughput ceiling) and
// EndToEndLatency (the floor of one produce → consume hop). Each on a topic of the run's own.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT, kafkaClient } from './infra.mjs';
import { round } from './stats.mjs';

const LOG4J = path.join(ROOT, 'infra', 'kafka', 'log4j.properties');

function runJava(libDir, mainClass, args, { timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'java',
      [
        '-Xmx512m',
        `-Dlog4j.configuration=file:${LOG4J}`,
        '-cp',
        path.join(libDir, '*'),
        mainClass,
        ...args,
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else
        reject(
          new Error(
            `${mainClass} failed (${signal ?? `exit ${code}`}):\n${(stderr || stdout).trim().split('\n').slice(-15).join('\n')}`,
          ),
        );
    });
  });
}

async function withTopic(brokers, topic, partitions, fn) {
  const admin = kafkaClient(brokers, 'herald-bench-tools').admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: -1 }],
      waitForLeaders: true,
    });
    return await fn();
  } finally {
    await admin.deleteTopics({ topics: [topic], timeout: 30_000 }).catch(() => {});
    await admin.disconnect();
  }
}

/**
 * ProducerPerformance: `records` records of `recordSize` bytes as fast as the broker takes them
 * (acks=all, the producer settings Herald's own producers use), on a fresh topic with
 * `partitions` partitions. Resolves to { records, recordSize, recordsPerSec, mbPerSec, latencyMs }.
 */
export async function producerPerformance({
  libDir,
  brokers,
  topic,
  records,
  recordSize,
  partitions = 6,
  timeoutMs = 600_000,
}) {
  return withTopic(brokers, topic, partitions, async () => {
    const started = Date.now();
    const output = await runJava(
      libDir,
      'org.apache.kafka.tools.ProducerPerformance',
      [
        '--topic',
        topic,
        '--num-records',
        String(records),
        '--record-size',
        String(recordSize),
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${brokers.join(',')}`,
        'acks=all',
        'enable.idempotence=true',
      ],
      { timeoutMs },
    );
    // "1000000 records sent, 254582.484725 records/sec (123.40 MB/sec), 170.50 ms avg latency, 612.00 ms max latency, 150 ms 50th, 380 ms 95th, 520 ms 99th, 600 ms 99.9th."
    const last =
      output
        .trim()
        .split('\n')
        .filter((l) => l.includes('records sent'))
        .pop() ?? '';
    const m =
      /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(
        last,
      );
    if (!m) throw new Error(`unexpected ProducerPerformance output: ${last || output.slice(-500)}`);
    return {
      tool: 'org.apache.kafka.tools.ProducerPerformance',
      records: Number(m[1]),
      recordSize,
      partitions,
      recordsPerSec: round(Number(m[2])),
      mbPerSec: Number(m[3]),
      latencyMs: {
        mean: Number(m[4]),
        max: Number(m[5]),
        p50: Number(m[6]),
        p95: Number(m[7]),
        p99: Number(m[8]),
      },
      wallMs: Date.now() - started,
    };
  });
}

/**
 * EndToEndLatency: `messages` messages one at a time, each produced (acks=all) and consumed
 * before the next. Resolves to { messages, latencyMs: { mean, p50, p99, p99_9 } } for one hop.
 */
export async function endToEndLatency({
  libDir,
  brokers,
  topic,
  messages = 1000,
  messageSize = 512,
  timeoutMs = 180_000,
}) {
  return withTopic(brokers, topic, 1, async () => {
    const output = await runJava(
      libDir,
      'org.apache.kafka.tools.EndToEndLatency',
      [brokers.join(','), topic, String(messages), 'all', String(messageSize)],
      { timeoutMs },
    );
    const mean = /Avg latency: ([\d.]+) ms/.exec(output);
    const pct = /Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)/.exec(output);
    if (!mean || !pct) throw new Error(`unexpected EndToEndLatency output: ${output.slice(-500)}`);
    return {
      tool: 'org.apache.kafka.tools.EndToEndLatency',
      messages,
      messageSize,
      latencyMs: {
        mean: Number(mean[1]),
        p50: Number(pct[1]),
        p99: Number(pct[2]),
        p99_9: Number(pct[3]),
      },
    };
  });
}
