// What is left in a run's topics once it is over: per consumer group of the run's prefix, the
// records not yet processed (high watermark minus committed offset), and per dead-letter topic
// the records parked there and whether each carries its reason header. "Nothing left behind"
// means every lag is 0 and every DLQ record says why it is there.
import { kafkaClient, readFirstRecords } from './infra.mjs';
import { parseGroup } from './lag.sampler.mjs';

const DLQ_REASON_HEADER = 'herald_dlq_reason';
/** Reading more DLQ records than this proves nothing more; the count is still exact. */
const DLQ_READ_LIMIT = 1_000;

/** Resolves to { pending: {topic: n}, pendingTotal, dlq: {topic: {records, read, withReason, reasons}}, groups }. */
export async function auditTopics({ brokers, prefix }) {
  const admin = kafkaClient(brokers, 'herald-faults-audit').admin();
  await admin.connect();
  try {
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => parseGroup(g, prefix));
    const pending = {};
    for (const groupId of groups) {
      const { topic } = parseGroup(groupId, prefix);
      const physical = prefix + topic;
      const [marks, committed] = await Promise.all([
        admin.fetchTopicOffsets(physical),
        admin.fetchOffsets({ groupId, topics: [physical] }),
      ]);
      const done = new Map(
        (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
      );
      let lag = 0;
      for (const p of marks) {
        const at = done.get(p.partition);
        lag += Math.max(0, Number(p.high) - (at !== undefined && at >= 0 ? at : Number(p.low)));
      }
      if (lag > 0) pending[topic] = (pending[topic] ?? 0) + lag;
    }
    const dlq = {};
    const dlqTopics = (await admin.listTopics()).filter(
      (t) => t.startsWith(prefix) && t.endsWith('.dlq'),
    );
    for (const physical of dlqTopics) {
      const marks = await admin.fetchTopicOffsets(physical);
      const records = marks.reduce((s, p) => s + Number(p.high) - Number(p.low), 0);
      if (records === 0) continue;
      dlq[physical.slice(prefix.length)] = {
        records,
        ...(await readReasons(brokers, physical, prefix, Math.min(records, DLQ_READ_LIMIT))),
      };
    }
    return {
      groups: groups.length,
      pending,
      pendingTotal: Object.values(pending).reduce((s, n) => s + n, 0),
      dlq,
    };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Reads up to `want` records of a DLQ topic: how many carry a reason, and the distinct reasons (first 10). */
async function readReasons(brokers, topic, prefix, want) {
  const out = { read: 0, withReason: 0, reasons: [] };
  out.read = await readFirstRecords(brokers, {
    topic,
    groupId: `${prefix}faults-dlq-audit.${topic}.${Date.now()}`,
    clientId: 'herald-faults-dlq',
    want,
    onRecord: (message) => {
      const reason = message.headers?.[DLQ_REASON_HEADER]?.toString();
      if (!reason) return;
      out.withReason++;
      if (out.reasons.length < 10 && !out.reasons.includes(reason)) out.reasons.push(reason);
    },
  });
  return out;
}
