// The provider sandbox's inspection and control API (/sandbox): what it received, and faults.
import { URLSearchParams } from 'node:url';
import { getJson, requestJson } from './http.mjs';

export function sandboxClient(sandboxUrl) {
  return {
    url: sandboxUrl,
    /** { total, unique, duplicates, byChannel, firstAt, lastAt, ... } */
    stats: () => getJson(`${sandboxUrl}/sandbox/stats`),
    /** Back to a fresh sandbox: no messages, no faults, no callbacks. */
    reset: () => requestJson('DELETE', `${sandboxUrl}/sandbox`),
    /** Sets faults of one channel ({channel, errorRate, latencyMs, outage, rejectRecipients}); {} clears all. */
    faults: (body) => requestJson('POST', `${sandboxUrl}/sandbox/faults`, { body }),
    /** Every retained message (oldest first), paged with `after`; `query` filters (channel, to, duplicates). */
    async *messages(query = {}) {
      let after = 0;
      for (;;) {
        const params = new URLSearchParams({ ...query, limit: '1000', after: String(after) });
        const page = await getJson(`${sandboxUrl}/sandbox/messages?${params}`);
        yield* page.messages;
        if (page.next === null) return;
        after = page.next;
      }
    },
  };
}
