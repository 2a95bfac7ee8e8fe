// Seeds N contacts for one bot with PostgreSQL's COPY FROM STDIN (pg-copy-streams), generated
// as a stream: constant memory at any N. Contact i is on channels[i % channels.length], with a
// recipient address and variables of its own, so every delivery is a distinct message at the
// sandbox and any duplicate is Herald's.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';

const ROWS_PER_CHUNK = 5_000;

/** The address contact i has on its channel, as the sandbox records it. */
export function recipientOf(channel, i) {
  const n = String(i).padStart(8, '0');
  if (channel === 'whatsapp') return `1555${n}`;
  if (channel === 'sms') return `+1556${n}`;
  return `7${n.padStart(15, '0')}`; // a Messenger page-scoped id
}

function rowOf(botId, channel, i, now) {
  const to = recipientOf(channel, i);
  const phone = channel === 'messenger' ? '\\N' : to;
  const fbid = channel === 'messenger' ? to : '\\N';
  const variables = `{"first_name": "Person${i}", "code": "${i}"}`;
  // Messenger contacts wrote recently: inside the 24 h window, so no message tag is needed.
  const lastInbound = channel === 'messenger' ? now : '\\N';
  return `${randomUUID()}\t${botId}\t${channel}\t${to}\t${phone}\t${fbid}\t${variables}\t${lastInbound}\n`;
}

/** COPYs `count` contacts of `botId` into `databaseUrl`; resolves to { rows, ms, method }. */
export async function seedContacts({ databaseUrl, botId, count, channels }) {
  const started = Date.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const now = new Date().toISOString();
    let next = 0;
    const source = new Readable({
      read() {
        if (next >= count) return void this.push(null);
        const end = Math.min(count, next + ROWS_PER_CHUNK);
        let chunk = '';
        for (let i = next; i < end; i++)
          chunk += rowOf(botId, channels[i % channels.length], i, now);
        next = end;
        this.push(chunk);
      },
    });
    const sink = client.query(
      copyStreams.from(
        'COPY contacts (id, bot_id, channel, user_id, phone, fbid, variables, last_inbound_at) FROM STDIN',
      ),
    );
    await pipeline(source, sink);
    // Fresh statistics, so the audience's keyset pages get the index plan from the first page.
    await client.query('ANALYZE contacts');
    return { rows: count, ms: Date.now() - started, method: 'COPY FROM STDIN (pg-copy-streams)' };
  } finally {
    await client.end().catch(() => {});
  }
}
