// latency: hook accepted → provider called, at a light steady rate. Each call targets a person
// of its own; the sandbox records when it received each recipient's message (receivedAt), and
// the harness when the hook answered 200. Same run: Kafka's EndToEndLatency on the same broker,
// one produce → consume hop, times the pipeline's three hops: the floor Kafka alone sets.
import { performance } from 'node:perf_hooks';
import { adminClient } from '../lib/herald.admin.mjs';
import { requestJson } from '../lib/http.mjs';
import { SERVICE_NAMES, startStack } from '../lib/herald.stack.mjs';
import { endToEndLatency } from '../lib/kafka-tools.mjs';
import { sandboxClient } from '../lib/sandbox.client.mjs';
import { percentileCurve, ratio, round, summary } from '../lib/stats.mjs';

export const LATENCY_TARGET = { p50Ms: 100, p99Ms: 500 };
/** broadcast.requested → target.resolved → delivery.requested.<channel>: three Kafka hops before the provider call. */
const KAFKA_HOPS = 3;

// Eleven digits: a +1 number written the way WhatsApp ids are (E.164 without the plus).
const recipientOf = (k) => `1777${String(k).padStart(7, '0')}`;

export async function latency(ctx) {
  const { args, log } = ctx;
  const label = 'latency';
  const stack = await startStack({
    ...ctx.stackOptions,
    label,
    prefix: `${ctx.prefixBase}${label}.`,
    services: SERVICE_NAMES,
    sandbox: true,
    log,
  });
  try {
    const bot = await adminClient(stack).setupBot({
      name: 'Bench latency bot',
      channels: ['whatsapp'],
    });
    const sandbox = sandboxClient(stack.sandboxUrl);
    const headers = { authorization: `Bearer ${bot.token}` };
    // One call first, outside the measurement: the consumers' first fetch and the caches warm up.
    await requestJson('POST', bot.hookUrl, {
      body: { targets: [{ user_id: '17770000000', bot_channel: 'whatsapp', first_name: 'Warm' }] },
      headers,
    });
    await new Promise((r) => setTimeout(r, 2_000));
    await sandbox.reset();

    const count = Math.max(1, Math.round(args.latencyRate * args.latencyDuration));
    const intervalMs = 1000 / args.latencyRate;
    log(`${label}: ${count} hook calls at ${args.latencyRate}/s, each to a person of its own`);
    const calls = [];
    const start = performance.now();
    for (let k = 0; k < count; k++) {
      const wait = start + k * intervalMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const call = { k, to: recipientOf(k), sentAt: Date.now() };
      call.done = requestJson('POST', bot.hookUrl, {
        body: { targets: [{ user_id: call.to, bot_channel: 'whatsapp', first_name: `P${k}` }] },
        headers,
        allow: [400, 401, 404, 429, 500, 503],
      })
        .then((answer) =>
          Object.assign(call, {
            status: answer.status,
            answeredAt: Date.now(),
            ...(answer.status !== 200
              ? { error: `${answer.status} ${JSON.stringify(answer.body)}` }
              : {}),
          }),
        )
        .catch((err) =>
          Object.assign(call, { status: 0, error: err.message, answeredAt: Date.now() }),
        );
      calls.push(call);
    }
    await Promise.all(calls.map((c) => c.done));
    const accepted = calls.filter((c) => c.status === 200);

    // Wait (bounded) until the sandbox has them all, then match by recipient.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      stack.assertAlive();
      if ((await sandbox.stats()).unique >= accepted.length) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const receivedAt = new Map();
    for await (const m of sandbox.messages({ channel: 'whatsapp' }))
      if (!receivedAt.has(m.to)) receivedAt.set(m.to, Date.parse(m.receivedAt));
    const latencies = [];
    let missing = 0;
    for (const c of accepted) {
      const at = receivedAt.get(c.to);
      if (at === undefined) missing++;
      else latencies.push(at - c.answeredAt);
    }
    const hookMs = summary(accepted.map((c) => c.answeredAt - c.sentAt));
    const result = {
      rate: args.latencyRate,
      durationS: args.latencyDuration,
      calls: count,
      accepted: accepted.length,
      // Why calls were not accepted, if any were not (a few distinct answers).
      refusals: [...new Set(calls.filter((c) => c.error).map((c) => c.error.slice(0, 300)))].slice(
        0,
        3,
      ),
      delivered: latencies.length,
      missing,
      // Milliseconds from the hook's 200 to the sandbox receiving the send (clock: this machine's).
      latencyMs: summary(latencies),
      hookAnswerMs: hookMs,
      distribution: percentileCurve(latencies),
      target: LATENCY_TARGET,
    };
    result.meetsTarget =
      missing === 0 &&
      result.latencyMs.p50 !== null &&
      result.latencyMs.p50 <= LATENCY_TARGET.p50Ms &&
      result.latencyMs.p99 <= LATENCY_TARGET.p99Ms;
    log(
      `${label}: p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms (${latencies.length}/${accepted.length} matched)`,
    );

    if (!args.skipCeilings) {
      const e2e = await endToEndLatency({
        libDir: ctx.kafkaLibDir,
        brokers: stack.brokers,
        topic: `${ctx.prefixBase}${label}.bench.end-to-end`,
        messages: 1000,
        messageSize: 512,
      }).catch((err) => ({ error: err.message }));
      result.ceiling = e2e.error
        ? { error: e2e.error }
        : {
            what: `Kafka EndToEndLatency (acks=all) × ${KAFKA_HOPS} hops`,
            hops: KAFKA_HOPS,
            perHop: e2e,
            p50Ms: round(e2e.latencyMs.p50 * KAFKA_HOPS, 1),
            p99Ms: round(e2e.latencyMs.p99 * KAFKA_HOPS, 1),
          };
      if (!e2e.error)
        result.ratio = {
          p50: ratio(result.latencyMs.p50, result.ceiling.p50Ms),
          p99: ratio(result.latencyMs.p99, result.ceiling.p99Ms),
        };
    }
    return result;
  } finally {
    await stack.stop();
  }
}
