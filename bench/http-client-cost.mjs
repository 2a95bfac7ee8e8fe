// The CPU the HTTP client alone spends per provider request: the senders' own requests
// (providerRequest) through the senders' undici agent settings, against a provider sandbox that
// is already running, `--in-flight` at a time for `--seconds`. It answers "how much of a delivery
// service's CPU per delivery is the provider call itself?" beside the benchmark's CPU budget.
//
//   node bench/http-client-cost.mjs [--sandbox URL] [--channel sms|whatsapp|messenger]
//                                   [--seconds S] [--in-flight N]
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { providerRequest } from './lib/provider.ceiling.mjs';

const { values } = parseArgs({
  options: {
    sandbox: { type: 'string', default: 'http://127.0.0.1:3999' },
    channel: { type: 'string', default: 'sms' },
    seconds: { type: 'string', default: '5' },
    'in-flight': { type: 'string', default: '128' },
  },
});
const seconds = Number(values.seconds);
const inFlight = Number(values['in-flight']);
if (!['sms', 'whatsapp', 'messenger'].includes(values.channel))
  throw new Error(`--channel must be sms, whatsapp or messenger, got "${values.channel}"`);
if (!(seconds > 0 && seconds <= 60)) throw new Error('--seconds must be in (0, 60]');
if (!(Number.isInteger(inFlight) && inFlight > 0 && inFlight <= 1024))
  throw new Error('--in-flight must be an integer in [1, 1024]');

// The senders' agent (libs/delivery-core/src/senders/http.ts).
const agent = new Agent({ connections: 256, keepAliveTimeout: 30_000, pipelining: 1 });
let next = 0;

async function loop(until) {
  let ok = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < until) {
        const { url, headers, body } = providerRequest(values.sandbox, values.channel, next++);
        const response = await request(url, {
          method: 'POST',
          headers,
          body,
          dispatcher: agent,
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        JSON.parse(await response.body.text());
        if (response.statusCode < 300) ok += 1;
        else failed += 1;
      }
    }),
  );
  return { ok, failed };
}

await loop(Date.now() + 1_000); // warm-up: connections, JIT
const before = process.cpuUsage();
const { ok, failed } = await loop(Date.now() + seconds * 1_000);
const cpu = process.cpuUsage(before);
await agent.close();
const requests = ok + failed;
if (requests === 0) throw new Error(`no request answered by ${values.sandbox}`);
console.log(
  `${values.channel}: ${requests} requests in ${seconds} s (${failed} not 2xx), ${inFlight} in flight: ` +
    `${((cpu.user + cpu.system) / requests).toFixed(1)} µs of client CPU per request ` +
    `(user ${(cpu.user / requests).toFixed(1)}, system ${(cpu.system / requests).toFixed(1)})`,
);
