// The HTTP ceiling: a bare Fastify server answering the hook call the way the gateway does
// (parse the JSON body, answer 200 with a run id), with nothing behind it. Run as its own
// process: `node bare-fastify.server.mjs <port>`; prints "listening <port>" when ready.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 0);
const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.post('/hooks/:hookKey', async (request) => {
  if (!request.body || typeof request.body !== 'object')
    throw Object.assign(new Error('body must be a JSON object'), { statusCode: 400 });
  return { success: true, run_id: randomUUID(), scheduled_for: new Date().toISOString() };
});
const address = await app.listen({ port, host: '127.0.0.1' });
console.log(`listening ${new URL(address).port}`);
for (const signal of ['SIGTERM', 'SIGINT'])
  process.once(signal, () => void app.close().then(() => process.exit(0)));
