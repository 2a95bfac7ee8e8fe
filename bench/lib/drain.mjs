// What the paced-drain scenarios (delivery, scale-out) measure alike: how many records a topic
// holds, and the steady send rate the sandbox saw.

/** Records written to a physical topic so far (the sum of its partitions' high watermarks). */
export async function queued(admin, topic) {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

/**
 * Whether a consumer group has committed everything written to a physical topic: the contact
 * service has published the deliveries of every page it was given (it publishes, then commits).
 * Delivery requests travel many people to a record (delivery.requested.v2), so the people queued
 * are counted by the stage before them rather than by records.
 */
export async function caughtUp(admin, groupId, topic) {
  const [marks, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const done = new Map(
    (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
  );
  return marks.every((m) => Number(m.high) === 0 || done.get(m.partition) === Number(m.high));
}

/** The achieved SMS rate over the middle 80 % of the sends (the bucket's first burst left out). */
export async function steadyRate(sandbox) {
  const times = [];
  for await (const message of sandbox.messages({ channel: 'sms' }))
    times.push(Date.parse(message.receivedAt));
  times.sort((a, b) => a - b);
  const from = Math.floor(times.length * 0.1);
  const to = Math.ceil(times.length * 0.9) - 1;
  const spanS = (times[to] - times[from]) / 1000;
  return spanS > 0 ? (to - from) / spanS : null;
}
