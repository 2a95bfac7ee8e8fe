// The CPU one provider request costs over HTTP/1.1 and over HTTP/2, each side apart: undici as the
// senders use it against a bare Node server in a child process, answering every POST with a
// Twilio-sized JSON body. HTTP/2 here is h2c with prior knowledge (undici's `useH2c`), so TLS is
// left out of both. It answers "would HTTP/2 to the providers lower a delivery's CPU?" (see
// docs/benchmark.md, Baselines).
//
//   node bench/http-version-cost.mjs [--requests N] [--in-flight N] [--rounds N]
import { fork } from 'node:child_process';
import http from 'node:http';
import http2 from 'node:http2';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent } from 'undici';

const BODY =
  'To=%2B15550100001&From=%2B15550100002&Body=Hello%20there%2C%20a%20broadcast%20message';
const ANSWER = JSON.stringify({ sid: `SM${'0'.repeat(32)}`, status: 'queued', num_segments: '1' });
const PATH = '/2010-04-01/Accounts/AC0/Messages.json';

function serve(version) {
  const handler = (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(ANSWER);
    });
  };
  const server =
    version === 'h2c'
      ? http2.createServer({ settings: { maxConcurrentStreams: 1024 } }, handler)
      : http.createServer({ keepAliveTimeout: 30_000 }, handler);
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('message', (message) => {
    if (message === 'cpu') process.send({ cpu: process.cpuUsage() });
  });
  process.on('disconnect', () => process.exit(0));
}

const micros = ({ user, system }) => user + system;

async function measure(version, requests, inFlight) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', version]);
  const { port } = await new Promise((resolve) => child.once('message', resolve));
  const serverCpu = () =>
    new Promise((resolve) => {
      child.once('message', (message) => resolve(message.cpu));
      child.send('cpu');
    });
  // HTTP/1.1 as the senders' agent (libs/delivery-core/src/senders/http.ts); HTTP/2 multiplexes
  // the same requests in flight over a few connections.
  const agent = new Agent(
    version === 'h2c'
      ? { connections: 4, useH2c: true, pipelining: inFlight }
      : { connections: 256, keepAliveTimeout: 30_000, pipelining: 1 },
  );
  const origin = `http://127.0.0.1:${port}`;
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: 'Basic QUMwOnNlY3JldA==',
  };
  const drive = async (count) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < count) {
          next += 1;
          const answer = await agent.request({
            origin,
            path: PATH,
            method: 'POST',
            headers,
            body: BODY,
          });
          await answer.body.text();
          if (answer.statusCode !== 201)
            throw new Error(`the server answered ${answer.statusCode}`);
        }
      }),
    );
  };
  try {
    await drive(Math.min(5_000, requests)); // connections open, code warm
    const clientBefore = process.cpuUsage();
    const serverBefore = await serverCpu();
    const started = performance.now();
    await drive(requests);
    const seconds = (performance.now() - started) / 1000;
    const client = micros(process.cpuUsage(clientBefore)) / requests / 1000;
    const server = (micros(await serverCpu()) - micros(serverBefore)) / requests / 1000;
    return { version, rate: requests / seconds, client, server };
  } finally {
    child.disconnect();
    await agent.close();
  }
}

const { values } = parseArgs({
  options: {
    serve: { type: 'string' },
    requests: { type: 'string', default: '60000' },
    'in-flight': { type: 'string', default: '256' },
    rounds: { type: 'string', default: '2' },
  },
});
if (values.serve !== undefined) {
  serve(values.serve);
} else {
  const requests = Number(values.requests);
  const inFlight = Number(values['in-flight']);
  const rounds = Number(values.rounds);
  if (!(Number.isInteger(requests) && requests >= 1_000 && requests <= 1_000_000))
    throw new Error('--requests must be an integer in [1000, 1000000]');
  if (!(Number.isInteger(inFlight) && inFlight >= 1 && inFlight <= 1024))
    throw new Error('--in-flight must be an integer in [1, 1024]');
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 10))
    throw new Error('--rounds must be an integer in [1, 10]');
  console.log(`${requests} POSTs, ${inFlight} in flight; CPU is ms per request, each side`);
  // Alternated, so that a machine that changes speed during the run touches both alike.
  for (let round = 1; round <= rounds; round++) {
    for (const version of ['http1', 'h2c']) {
      const { rate, client, server } = await measure(version, requests, inFlight);
      console.log(
        `round ${round}  ${version.padEnd(5)}  ${Math.round(rate).toLocaleString('en-US').padStart(7)}/s  ` +
          `client ${client.toFixed(4)}  server ${server.toFixed(4)}`,
      );
    }
  }
}
