// The fault run's Markdown report: one line per case with its verdict, then each case's
// timeline of events and what the checks found.
import fs from 'node:fs';
import path from 'node:path';

const fmt = (n) => (Number.isFinite(n) ? Number(n).toLocaleString('en') : '—');
const mark = (v) => (v === true ? 'yes' : v === false ? '**no**' : '—');

export function faultsMarkdown(r) {
  const lines = [];
  const m = r.machine ?? {};
  lines.push(`# Fault suite — ${r.id}`, '');
  lines.push(`Command: \`${r.command}\``, '');
  lines.push(
    `Started ${r.startedAt}, took ${fmt(r.durationS)} s. Commit \`${r.git?.commit ?? '?'}\`${r.git?.dirty ? ' (apps/ or libs/ had uncommitted changes)' : ''}.`,
    '',
  );
  if (m.cpus)
    lines.push(
      `Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGb} GiB, ${m.os}, Node ${m.node}, Java ${m.java}, Kafka ${m.kafka}, PostgreSQL ${m.postgres}.`,
      '',
    );
  lines.push(
    `Kafka: ${r.kafka?.nodes === 3 ? '3-node KRaft cluster, replication 3, min in-sync 2' : 'single node (replication 1): the broker-kill scenario needs the cluster'}` +
      `${r.kafka?.replaced ? '; the single-node broker on 9092 was stopped for the run and started again at the end' : ''}.`,
    '',
  );
  lines.push(
    `Each case: ${fmt(r.options?.contacts)} contacts (${(r.options?.channels ?? []).join(', ')}), each channel paced at ${fmt(r.options?.rate)}/s, ` +
      `the fault injected once a quarter were reached (at the first deliveries for the stages before delivery and for scale). DELIVERY_CONCURRENCY ${r.options?.concurrency}, DELIVERY_MAX_UNRECORDED ${r.options?.unrecorded}, DELIVERY_RETRY_DELAYS ${r.options?.retryDelays}.`,
    '',
  );
  if (r.error) lines.push(`**The run failed:** ${r.error}`, '');
  lines.push(
    '| case | verdict | reached | duplicates (allowed) | run | counts (targeted/sent/failed/skipped) | pending | DLQ | hooks 200 → delivered | s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const c of r.cases ?? []) {
    const k = c.run?.counts;
    lines.push(
      `| ${c.name} | ${c.ok ? 'pass' : `**fail** (${c.outcome})`} | ${fmt(c.sandbox?.delivered)} / ${fmt(c.contacts)} | ${fmt(c.sandbox?.duplicates)} (${fmt(c.duplicatesAllowed)}) | ${c.run?.status ?? '—'} | ` +
        `${k ? `${fmt(k.targeted)}/${fmt(k.sent)}/${fmt(k.failed)}/${fmt(k.skipped)}` : '—'} | ${fmt(Object.values(c.topics?.pending ?? {}).reduce((s, n) => s + n, 0))} | ${fmt(c.topics?.dlqRecords)} | ` +
        `${c.hooks ? `${fmt(c.hooks.accepted)} → ${fmt(c.hooks.delivered)}` : '—'} | ${fmt(c.elapsedS)} |`,
    );
  }
  lines.push('');
  lines.push(
    "Reading it: *reached* is the people with the message at the sandbox (unique messages; every contact has an address and variables of its own, so a second copy is Herald's). " +
      '*Duplicates* must be 0, except where a process died between a provider accepting a send and Herald recording it; the allowance and its reason are per case. ' +
      '*Pending* is the records not processed by their consumer group in any topic of the run after it completed (lag); *DLQ* the records parked in dead-letter topics, each of which must carry its reason header.',
    '',
  );
  for (const c of r.cases ?? []) {
    lines.push(`## ${c.name}`, '');
    lines.push(
      `Verdict: ${c.ok ? 'pass' : `**fail** — ${c.outcome}`}. Duplicates allowed: ${c.duplicatesAllowed} (${c.duplicatesWhy}).`,
      '',
    );
    lines.push('| check | met |', '| --- | --- |');
    for (const [name, value] of Object.entries(c.checks ?? {}))
      lines.push(`| ${name} | ${mark(value)} |`);
    lines.push('', 'Timeline (seconds since the run was requested):', '');
    for (const e of c.events ?? []) lines.push(`- +${e.t} s: ${e.what}`);
    if (c.hooks)
      lines.push(
        '',
        `Hook calls during the fault: ${fmt(c.hooks.calls)} made, answers ${JSON.stringify(c.hooks.byStatus)}; ${fmt(c.hooks.accepted)} answered 200, ${fmt(c.hooks.delivered)} of them delivered, ${fmt(c.hooks.missing)} missing.`,
      );
    if (c.duplicateSamples?.length)
      lines.push(
        '',
        `Duplicates (first ${c.duplicateSamples.length}): ${c.duplicateSamples.map((d) => `${d.channel} ${d.to} ×${d.count}`).join(', ')}.`,
      );
    if (Object.keys(c.topics?.pending ?? {}).length)
      lines.push(
        '',
        `Left unprocessed: ${Object.entries(c.topics.pending)
          .map(([t, n]) => `${t} ${n}`)
          .join(', ')}.`,
      );
    for (const [topic, d] of Object.entries(c.topics?.dlq ?? {}))
      lines.push(
        '',
        `DLQ ${topic}: ${d.records} records, ${d.withReason} of ${d.read} read carry a reason: ${d.reasons.map((x) => `“${x}”`).join('; ')}.`,
      );
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

export function writeFaultsReport(results, outDir, stem) {
  const markdown = path.join(outDir, `${stem}.md`);
  fs.writeFileSync(markdown, faultsMarkdown(results));
  return { markdown };
}
