// One case of the fault suite: a broadcast to every seeded contact, a fault injected once a
// quarter of them were reached (mid-broadcast), then the checks, from the sandbox's record and
// the run's own status: everyone received the message, how many twice (within the case's
// allowance), the run completed with the right counts, and nothing is left unprocessed in any
// topic except DLQ records that carry their reason.
import { auditTopics } from '../lib/topic.audit.mjs';
import { round } from '../lib/stats.mjs';
import { startHookLoad } from './hook.load.mjs';

const POLL_MS = 500;
/** After a kill -9 of a delivery service, its claimed rows wait out a 60 s lease, and its group a 30 s session. */
const STALL_S = 150;
const TRIGGER_SHARE = 0.25;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const digits = (s) => String(s).replace(/\D/g, '');

/** Restarts any process that exited without being asked to (so the next case has a whole stack). */
export async function healStack(stack, note) {
  for (const [name, entry] of stack.processes) {
    if (entry.exit && !entry.expectedExit) {
      note(
        `${name} had exited on its own (${entry.exit.signal ?? `code ${entry.exit.code}`}): restarting it`,
      );
      entry.expectedExit = true;
      await stack.restart(name);
    }
  }
}

/**
 * Runs one case. `fault(tools)` injects and ends the fault (resolves when it is over);
 * `duplicatesAllowed` and `duplicatesWhy` state the case's allowance. With `hooks`, hook calls
 * go on from the run's start until the fault is over, and each one answered 200 must arrive.
 */
export async function broadcastUnderFault(
  env,
  {
    name,
    fault,
    duplicatesAllowed = 0,
    duplicatesWhy = null,
    hooks = false,
    triggerShare = TRIGGER_SHARE,
    deadLettersExpected = false,
    verify = null,
  },
) {
  const { stack, admin, sandbox, bot, hookBot, contacts, channels, args, log } = env;
  const t0 = Date.now();
  const at = () => round((Date.now() - t0) / 1000, 1);
  const events = [];
  const note = (what) => {
    events.push({ t: at(), what });
    log(`${name} +${at()}s: ${what}`);
  };
  const delivered = (s) => channels.reduce((n, c) => n + (s.byChannel?.[c]?.unique ?? 0), 0);
  const timeline = [];
  const snapshot = async () => {
    const s = await sandbox.stats();
    timeline.push([at(), delivered(s), s.duplicates]);
    return s;
  };
  const getRun = async (runId) => {
    try {
      return await admin.getRun(runId);
    } catch {
      return undefined; // the gateway may be the process that is down
    }
  };

  await healStack(stack, note);
  await sandbox.reset();
  const { runId } = await admin.runBroadcast(bot.broadcastId);
  note(`run ${runId} requested`);
  const load = hooks
    ? startHookLoad({ hookUrl: hookBot.hookUrl, token: hookBot.token, ratePerSec: args.hookRate })
    : null;

  const result = { name, runId, contacts, duplicatesAllowed, duplicatesWhy, events };
  let faultOver = false;
  let hookCalls = null;
  let faultError = null;
  let outcome = 'timeout';
  let run = null;
  try {
    // Mid-broadcast: a quarter of the people reached (the stages before delivery: the first ones).
    const trigger = Math.max(1, Math.floor(contacts * triggerShare));
    const triggerDeadline = Date.now() + 120_000;
    for (;;) {
      const s = await snapshot();
      if (delivered(s) >= trigger) break;
      if (Date.now() > triggerDeadline)
        throw new Error(
          `only ${delivered(s)} of ${contacts} delivered after 120 s: no fault injected`,
        );
      await sleep(100);
    }
    note(`${delivered(await snapshot())} delivered: fault begins`);
    // What each stage still had to do as the fault began (says whether it hit that stage
    // mid-work), read beside the fault rather than before it: listing offsets takes seconds.
    const queued = auditTopics({ brokers: stack.brokers, prefix: stack.prefix }).then(
      (a) =>
        note(
          `waiting in topics as the fault began: ${
            Object.entries(a.pending)
              .map(([topic, n]) => `${topic} ${n}`)
              .join(', ') || 'nothing'
          }`,
        ),
      () => {},
    );
    const faultDone = fault({ stack, sandbox, note, args, env }).then(
      () => {
        faultOver = true;
        note('fault over');
        // Hook calls go on during the fault only: afterwards they would keep the case from stalling.
        hookCalls = load?.stop();
      },
      (err) => {
        faultOver = true;
        faultError = err.message;
        note(`the fault could not be injected as planned: ${err.message}`);
      },
    );

    const deadline = t0 + args.caseTimeout * 1000;
    let last = -1;
    let lastChange = Date.now();
    let lastLog = Date.now();
    for (;;) {
      const s = await snapshot();
      const n = delivered(s);
      if (n !== last) {
        last = n;
        lastChange = Date.now();
      }
      const current = await getRun(runId);
      if (current) run = current;
      const died = stack.failure();
      if (died && faultOver) {
        outcome = `a process exited on its own: ${died.split('\n')[0]}`;
        break;
      }
      if (faultOver && n >= contacts && run?.status === 'completed') {
        outcome = 'completed';
        break;
      }
      if (['failed', 'cancelled'].includes(run?.status)) {
        outcome = `run ${run.status}${run.reason ? `: ${run.reason}` : ''}`;
        break;
      }
      if (faultOver && Date.now() - lastChange > STALL_S * 1000) {
        outcome =
          n >= contacts
            ? `everyone reached, but the run is ${run?.status ?? 'unknown'} after ${STALL_S} s`
            : `stalled: no new delivery for ${STALL_S} s`;
        break;
      }
      if (Date.now() > deadline) break;
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        log(`${name} +${at()}s: ${n} of ${contacts} delivered, run ${run?.status ?? '?'}`);
      }
      await sleep(POLL_MS);
    }
    await Promise.all([faultDone, queued]);
  } catch (err) {
    outcome = `error: ${err.message}`;
  }

  if (load) result.hooks = await checkHooks(await (hookCalls ?? load.stop()), sandbox, note);

  // Give the consumers a moment to commit what they processed, then look at every topic.
  let audit;
  const auditDeadline = Date.now() + 60_000;
  for (;;) {
    try {
      audit = await auditTopics({ brokers: stack.brokers, prefix: stack.prefix });
    } catch (err) {
      audit = { error: err.message, pending: {}, pendingTotal: null, dlq: {} };
    }
    if (audit.pendingTotal === 0 || Date.now() > auditDeadline) break;
    await sleep(2_000);
  }
  const stats = await sandbox.stats();
  const final = (await getRun(runId)) ?? run;
  const duplicateSamples = [];
  if (stats.duplicates > 0) {
    for await (const m of sandbox.messages({ duplicates: 'true' })) {
      duplicateSamples.push({
        channel: m.channel,
        to: m.to,
        receivedAt: m.receivedAt,
        count: m.count,
      });
      if (duplicateSamples.length >= 10) break;
    }
  }
  // Hook calls reach SMS numbers of their own: the contacts reached are the rest.
  const reached = delivered(stats) - (result.hooks?.seen ?? 0);
  const counts = final?.counts ?? null;
  const dlqRecords = Object.values(audit.dlq ?? {}).reduce((s, d) => s + d.records, 0);
  const dlqWithoutReason = Object.values(audit.dlq ?? {}).reduce(
    (s, d) => s + (d.read - d.withReason),
    0,
  );
  const checks = {
    everyoneDelivered: reached >= contacts,
    duplicatesWithinAllowance: stats.duplicates <= duplicatesAllowed,
    runCompleted: final?.status === 'completed',
    countsRight:
      counts !== null &&
      counts.targeted === contacts &&
      counts.sent === contacts &&
      counts.failed === 0 &&
      counts.skipped === 0,
    nothingPending: audit.pendingTotal === 0,
    dlqHasReasons: dlqWithoutReason === 0,
    faultInjected: faultError === null,
    // A fault of the infrastructure pauses work; it never turns a healthy record into a dead letter.
    ...(deadLettersExpected ? {} : { noDeadLetters: dlqRecords === 0 }),
  };
  if (verify) {
    const verified = await verify(env).catch((err) => ({
      checks: { verified: false },
      detail: { error: err.message },
    }));
    Object.assign(checks, verified.checks);
    result.verified = verified.detail;
  }
  if (result.hooks) checks.everyAcceptedHookDelivered = result.hooks.missing === 0;
  Object.assign(result, {
    outcome,
    ok: outcome === 'completed' && Object.values(checks).every(Boolean),
    checks,
    faultError,
    elapsedS: at(),
    sandbox: {
      delivered: reached,
      total: stats.total,
      unique: stats.unique,
      duplicates: stats.duplicates,
      byChannel: stats.byChannel,
      firstAt: stats.firstAt,
      lastAt: stats.lastAt,
    },
    duplicateSamples,
    run: final
      ? { status: final.status, counts: final.counts, reason: final.reason ?? null }
      : null,
    topics: { pending: audit.pending, dlq: audit.dlq, dlqRecords, error: audit.error ?? null },
    // [seconds since the run request, people reached, duplicates], one row per poll.
    timeline,
  });
  note(
    `${result.ok ? 'PASS' : 'FAIL'} (${outcome}): ${reached}/${contacts} reached, ${stats.duplicates} duplicates (allowed ${duplicatesAllowed}), ` +
      `run ${final?.status ?? '?'} ${JSON.stringify(counts)}, pending ${audit.pendingTotal}, DLQ ${dlqRecords}`,
  );
  return result;
}

/** Every hook call answered 200 must have reached the sandbox (bounded wait). */
async function checkHooks(calls, sandbox, note) {
  const accepted = calls.filter((c) => c.status === 200);
  const want = new Set(accepted.map((c) => digits(c.to)));
  const all = new Set(calls.map((c) => digits(c.to)));
  const seen = new Set();
  const deadline = Date.now() + 90_000;
  for (;;) {
    seen.clear();
    for await (const m of sandbox.messages({ channel: 'sms' }))
      if (all.has(digits(m.to))) seen.add(digits(m.to));
    if ([...want].every((to) => seen.has(to)) || Date.now() > deadline) break;
    await sleep(2_000);
  }
  const byStatus = {};
  for (const c of calls) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
  const missing = accepted.filter((c) => !seen.has(digits(c.to)));
  note(
    `hook calls: ${calls.length} made, ${accepted.length} answered 200, ${accepted.length - missing.length} of those delivered`,
  );
  return {
    calls: calls.length,
    accepted: accepted.length,
    delivered: accepted.length - missing.length,
    missing: missing.length,
    /** Distinct hook recipients found at the sandbox (accepted or not: a timed-out call may still deliver). */
    seen: seen.size,
    missingSamples: missing.slice(0, 10).map((c) => ({ to: c.to, at: c.at })),
    byStatus,
    errors: [...new Set(calls.filter((c) => c.error).map((c) => c.error))].slice(0, 5),
  };
}
