// Hook calls at a steady rate while a fault is going on, each to an SMS number of its own, so
// that every call the gateway answered 200 can be looked for at the sandbox afterwards.
import { requestJson } from '../lib/http.mjs';

/** The SMS number hook call k targets: a valid +1 number (E.164), outside the seeded contacts' +1556… range. */
export const hookRecipientOf = (k) => `+1557${String(k).padStart(7, '0')}`;

export function startHookLoad({ hookUrl, token, ratePerSec }) {
  const calls = [];
  let stopped = false;
  const headers = { authorization: `Bearer ${token}` };
  const intervalMs = 1000 / ratePerSec;
  const started = Date.now();
  const loop = (async () => {
    for (let k = 0; !stopped; k++) {
      const wait = started + k * intervalMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (stopped) break;
      const call = { k, to: hookRecipientOf(k), at: Date.now(), status: null };
      call.done = requestJson('POST', hookUrl, {
        body: {
          targets: [{ user_phone_number: call.to, bot_channel: 'sms', first_name: `Hook${k}` }],
        },
        headers,
        timeoutMs: 15_000,
        allow: [400, 401, 404, 408, 429, 500, 502, 503, 504],
      })
        .then((answer) => (call.status = answer.status))
        .catch((err) => {
          call.status = 0;
          call.error = err.cause?.code ?? err.message;
        });
      calls.push(call);
    }
  })();
  return {
    /** Stops sending; resolves to every call with its status once all are answered. */
    async stop() {
      stopped = true;
      await loop;
      await Promise.all(calls.map((c) => c.done));
      return calls.map(({ k, to, at, status, error }) => ({ k, to, at, status, error }));
    },
  };
}
