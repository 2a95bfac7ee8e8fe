// The "poison" fault: every kind of input that once stopped a partition, through the public API
// and straight into each contract topic, while a broadcast runs. Afterwards each poison record
// must be in its topic's DLQ with a reason (or refused at the edge with a 400), and the rest of
// the pipeline must not have noticed: everyone messaged once, every lag back to zero.
/* global AbortSignal */
import { randomUUID } from 'node:crypto';
import { kafkaClient, readFirstRecords } from '../lib/infra.mjs';

/** CloudEvents `ce_type` of each contract topic (the catalog's, written out: this is plain JS). */
const TYPES = {
  'broadcast.requested.v1': 'dev.herald.broadcast.requested.v1',
  'target.resolved.v1': 'dev.herald.target.resolved.v1',
  'delivery.requested.whatsapp.v1': 'dev.herald.delivery.requested.v1',
  'delivery.requested.sms.v1': 'dev.herald.delivery.requested.v1',
  'delivery.requested.messenger.v1': 'dev.herald.delivery.requested.v1',
  'delivery.requested.whatsapp.v2': 'dev.herald.delivery.requested.v2',
  'delivery.requested.sms.v2': 'dev.herald.delivery.requested.v2',
  'delivery.requested.messenger.v2': 'dev.herald.delivery.requested.v2',
  'delivery.result.v1': 'dev.herald.delivery.result.v1',
  'delivery.result.v2': 'dev.herald.delivery.result.v2',
  'delivery.status.whatsapp.v1': 'dev.herald.delivery.status.v1',
  'delivery.status.sms.v1': 'dev.herald.delivery.status.v1',
  'delivery.status.messenger.v1': 'dev.herald.delivery.status.v1',
  'contact.inbound.v1': 'dev.herald.contact.inbound.v1',
};

const ceHeaders = (topic) => ({
  ce_id: randomUUID(),
  ce_type: TYPES[topic],
  ce_source: '/herald/faults-poison',
  ce_specversion: '1.0',
  ce_time: new Date().toISOString(),
});

/** What each topic gets: records no stage can process, each expected in the topic's DLQ. */
function poisonRecords(botId) {
  const now = new Date().toISOString();
  const lone = 'Ada\ud800';
  const records = [];
  for (const topic of Object.keys(TYPES)) {
    // Bytes that are not JSON, and JSON with a lone surrogate, on every topic.
    records.push({ topic, why: 'not JSON', value: Buffer.from([0xff, 0x00, 0x7b]) });
    records.push({
      topic,
      why: 'a lone surrogate',
      value: JSON.stringify({ runId: randomUUID(), botId, text: lone }),
    });
  }
  // Records that validate but can never be processed.
  records.push({
    topic: 'broadcast.requested.v1',
    why: 'a bot that does not exist',
    value: JSON.stringify({
      runId: randomUUID(),
      botId: randomUUID(),
      source: 'event',
      requestedAt: now,
      content: { messages: [{ text: 'x' }] },
    }),
  });
  records.push({
    topic: 'target.resolved.v1',
    why: 'a run that does not exist',
    value: JSON.stringify({
      runId: randomUUID(),
      botId,
      page: 0,
      targets: [{ phone: '+15579990001', channel: 'sms', create: true }],
      messages: [{ text: 'x' }],
    }),
  });
  return records.map((r) => ({ ...r, key: randomUUID() }));
}

/** Hook calls a caller might make that no stage could take: each must be answered 400. */
const POISON_CALLS = [
  [
    'a lone surrogate',
    '{"targets":[{"user_phone_number":"+15579990002","bot_channel":"sms","first_name":"\\ud800"}]}',
  ],
  [
    'NUL',
    '{"targets":[{"user_phone_number":"+15579990003","bot_channel":"sms","first_name":"a\\u0000b"}]}',
  ],
  [
    '101 variables',
    JSON.stringify({
      targets: [
        {
          user_phone_number: '+15579990004',
          bot_channel: 'sms',
          ...Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`v${i}`, 'x'])),
        },
      ],
    }),
  ],
  [
    'a 5,000-character value',
    JSON.stringify({
      targets: [{ user_phone_number: '+15579990005', bot_channel: 'sms', note: 'x'.repeat(5_000) }],
    }),
  ],
  ['JSON nested 100 deep', `{"targets":${'['.repeat(100)}${']'.repeat(100)}}`],
];

/** Injects the poison; resolves to what the checks need afterwards. */
export async function injectPoison({ stack, hookBot, botId, note }) {
  const calls = [];
  for (const [why, body] of POISON_CALLS) {
    const answer = await fetch(hookBot.hookUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${hookBot.token}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(15_000),
    }).catch((err) => ({ status: 0, error: err.message }));
    calls.push({ why, status: answer.status });
  }
  note(`poison through the hook API: ${calls.map((c) => `${c.why} → ${c.status}`).join(', ')}`);

  const records = poisonRecords(botId);
  const producer = kafkaClient(stack.brokers, 'herald-faults-poison').producer({
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    for (const r of records) {
      await producer.send({
        topic: stack.prefix + r.topic,
        acks: -1,
        messages: [{ key: r.key, value: r.value, headers: ceHeaders(r.topic) }],
      });
    }
  } finally {
    await producer.disconnect().catch(() => {});
  }
  note(
    `poison straight into ${new Set(records.map((r) => r.topic)).size} topics: ${records.length} records`,
  );
  return { calls, records };
}

/** After the case: every poison call refused with a 400, every poison record in its DLQ with a reason. */
export async function checkPoison({ stack }, { calls, records }) {
  const byTopic = new Map();
  for (const r of records) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
  const missing = [];
  const admin = kafkaClient(stack.brokers, 'herald-faults-poison').admin();
  await admin.connect();
  const sizeOf = async (physical) =>
    (await admin.fetchTopicOffsets(physical)).reduce(
      (n, p) => n + Number(p.high) - Number(p.low),
      0,
    );
  for (const [topic, expected] of byTopic) {
    const reasons = new Map();
    const physical = `${stack.prefix}${topic}.dlq`;
    // Read exactly what the DLQ holds (at most 1,000 records), not wait for more.
    const want = Math.min(1_000, await sizeOf(physical).catch(() => expected.length));
    await readFirstRecords(stack.brokers, {
      topic: physical,
      groupId: `herald-faults-poison-${randomUUID()}`,
      clientId: 'herald-faults-poison',
      want,
      timeoutMs: 15_000,
      onRecord: (m) =>
        reasons.set(m.key?.toString('utf8'), m.headers?.herald_dlq_reason?.toString('utf8')),
    }).catch(() => 0);
    for (const r of expected) if (!reasons.get(r.key)) missing.push(`${topic}: ${r.why}`);
  }
  await admin.disconnect().catch(() => {});
  const notRefused = calls.filter((c) => c.status !== 400).map((c) => `${c.why} → ${c.status}`);
  return {
    checks: {
      poisonCallsRefused: notRefused.length === 0,
      poisonRecordsDeadLettered: missing.length === 0,
    },
    detail: { calls, records: records.length, missing, notRefused },
  };
}
