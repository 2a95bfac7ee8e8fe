// hook-accept: autocannon against POST /hooks/:key (one-target payload, bot token) for a fixed
// time and connection count, and, in the same run with the same settings, a bare Fastify
// server answering the same request: the HTTP ceiling on this machine.
import { adminClient } from '../lib/herald.admin.mjs';
import { SERVICE_NAMES, startStack } from '../lib/herald.stack.mjs';
import { loadHttp, startBareFastify } from '../lib/http-load.mjs';
import { requestJson } from '../lib/http.mjs';
import { startMemorySampler } from '../lib/memory.sampler.mjs';
import { ratio } from '../lib/stats.mjs';

export const HOOK_TARGET = { acceptedPerSec: 5_000, p99Ms: 25 };

export async function hookAccept(ctx) {
  const { args, log } = ctx;
  const label = 'hook-accept';
  // By default only the gateway runs: the figure is the accept path (HTTP → validation → Kafka
  // ack), not the machine's capacity to also run the whole pipeline on the same two cores.
  const services = args.hookPipeline ? SERVICE_NAMES : ['gateway'];
  const stack = await startStack({
    ...ctx.stackOptions,
    label,
    prefix: `${ctx.prefixBase}${label}.`,
    services,
    sandbox: args.hookPipeline,
    // One bot takes all the load here: its hook quota (issue 11) is raised past the load, so the
    // figure includes the quota check on every call but no refusals.
    env: {
      ...ctx.stackOptions.env,
      HERALD_QUOTA_HOOK_PER_SECOND: '1000000',
      HERALD_AUTH_FAILURES_PER_MINUTE: '1000000',
    },
    log,
  });
  try {
    const bot = await adminClient(stack).setupBot({
      name: 'Bench hook bot',
      channels: ['whatsapp'],
    });
    const body = JSON.stringify({
      targets: [{ user_id: '15550000001', bot_channel: 'whatsapp', first_name: 'Ada' }],
    });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${bot.token}` };
    const probe = await requestJson('POST', bot.hookUrl, { body: JSON.parse(body), headers });
    if (!probe.body?.run_id)
      throw new Error(`the hook answered without a run_id: ${JSON.stringify(probe.body)}`);

    const load = { connections: args.connections, durationS: args.duration, body, headers };
    const warmS = Math.min(3, args.duration);
    const fastify = await startBareFastify();
    let ceiling;
    try {
      log(
        `${label}: HTTP ceiling (bare Fastify), ${args.connections} connections, ${args.duration} s`,
      );
      await loadHttp({ ...load, url: `${fastify.url}/hooks/${bot.hookKey}`, durationS: warmS });
      ceiling = await loadHttp({ ...load, url: `${fastify.url}/hooks/${bot.hookKey}` });
    } finally {
      await fastify.stop();
    }
    log(`${label}: Herald's gateway, same load`);
    await loadHttp({ ...load, url: bot.hookUrl, durationS: warmS });
    // The load generator (autocannon) runs in this process: its CPU is on the same cores.
    const memory = startMemorySampler(() => ({ ...stack.pids(), 'load generator': process.pid }));
    const herald = await loadHttp({ ...load, url: bot.hookUrl });
    const mem = await memory.stop();
    stack.assertAlive();
    log(
      `${label}: Herald ${herald.okPerSec}/s (p99 ${herald.latencyMs.p99} ms) vs bare Fastify ${ceiling.okPerSec}/s (p99 ${ceiling.latencyMs.p99} ms)`,
    );
    return {
      services,
      payload: JSON.parse(body),
      herald,
      ceiling: { what: 'bare Fastify server, same request, same autocannon settings', ...ceiling },
      ratio: {
        acceptedPerSec: ratio(herald.okPerSec, ceiling.okPerSec),
        p99: ratio(herald.latencyMs.p99, ceiling.latencyMs.p99),
      },
      target: HOOK_TARGET,
      meetsTarget:
        herald.okPerSec >= HOOK_TARGET.acceptedPerSec &&
        herald.latencyMs.p99 <= HOOK_TARGET.p99Ms &&
        herald.errors === 0 &&
        herald.non2xx === 0,
      memory: mem.byProcess,
      cpu: mem.cpu,
    };
  } finally {
    await stack.stop();
  }
}
