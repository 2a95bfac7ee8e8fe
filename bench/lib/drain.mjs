// What the paced-drain scenarios (delivery, scale-out) measure alike: how many records a topic
// holds, and the steady send rate the sandbox saw.

/** Records written to a physical topic so far (the sum of its partitions' high watermarks). */
export async function queued(admin, topic) {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
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
