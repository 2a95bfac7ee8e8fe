// A delivery service process sent SIGTERM mid-batch finishes the sends in flight, records them,
// gives back the people it had not sent yet, commits only what is done and exits; a new process
// in the same consumer group sends the rest. Nobody is messaged twice, nobody is lost, and the
// run's counts are exact. Real child processes, real signals.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { SERVICE_NAMES } from '../../apps/herald/src/services.js';
import { eventually, testBrokers, testDatabaseUrl } from '@herald/testing';
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';

const PEOPLE = 200;
const ROOT = new URL('../../', import.meta.url);

describe('a delivery service restarted mid-batch (SIGTERM)', () => {
  let h: DeliveryHarness;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // Everything but delivery-whatsapp in this process; that one runs as its own processes.
    h = await DeliveryHarness.start(
      {},
      SERVICE_NAMES.filter((s) => s !== 'delivery-whatsapp'),
    );
  }, 90_000);

  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await h?.stop();
  });

  /** Starts apps/delivery-whatsapp as a process on this suite's topics; resolves once it consumes. */
  async function startDeliveryProcess(): Promise<ChildProcess> {
    const child = spawn(
      process.execPath,
      [
        '--import',
        fileURLToPath(new URL('test/integration/delivery/ts-source.register.mjs', ROOT)),
        fileURLToPath(new URL('apps/delivery-whatsapp/src/main.ts', ROOT)),
      ],
      {
        cwd: fileURLToPath(ROOT),
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          KAFKA_BROKERS: testBrokers(),
          HERALD_TOPIC_PREFIX: h.stack.prefix,
          KAFKA_TOPIC_PARTITIONS: '3',
          DATABASE_URL: testDatabaseUrl(),
          DATABASE_POOL_SIZE: '4',
          HOST: '127.0.0.1',
          PORT: '0',
          LOG_LEVEL: 'log',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`delivery process exited early:\n${output.slice(-2000)}`);
        return output.includes('Nest application successfully started');
      },
      'the delivery process to start',
      60_000,
    );
    return child;
  }

  it('sends nobody twice and loses nobody', async () => {
    const phoneNumberId = '1065550901';
    const people = Array.from({ length: PEOPLE }, (_, i) => `1555090${String(i).padStart(4, '0')}`);
    const botId = await h.bot({
      whatsapp: { phoneNumberId, accessToken: 'EAAG-test', messagesPerSecond: 100 },
    });
    await h.faults('whatsapp', { latencyMs: 50 });
    const first = await startDeliveryProcess();
    const runId = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Restart test' }] },
      targets: people.map((userId) => ({ userId, channel: 'whatsapp', create: true })),
    });
    const mine = async () =>
      (await h.messages('whatsapp')).filter((m) => m.account === phoneNumberId);
    await eventually(async () => (await mine()).length >= 40, 'the first sends', 30_000);

    first.kill('SIGTERM');
    const [code, signal] = (await once(first, 'exit')) as [number | null, string | null];
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
    const atExit = await mine();
    const rows = await h.deliveries(runId);
    expect(atExit.length).toBeLessThan(PEOPLE);
    // Everything sent was recorded before it exited; nothing is left mid-send.
    expect(rows.filter((r) => r.status === 'sending')).toEqual([]);
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(atExit.length);

    const second = await startDeliveryProcess();
    const run = await h.runWhen(runId, undefined, 'the run to complete after the restart', 60_000);
    expect(run).toMatchObject({ targeted: PEOPLE, sent: PEOPLE, failed: 0 });
    const received = await mine();
    expect(received.map((m) => m.to).sort()).toEqual(people);
    expect(received.filter((m) => m.count > 1)).toEqual([]);

    second.kill('SIGTERM');
    await once(second, 'exit');
    await h.faults('whatsapp', { latencyMs: 0 });
  });
});
