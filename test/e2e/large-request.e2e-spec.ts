// A hook call at the seed's 1 MiB cap (thousands of targets) is one BroadcastRequested event
// above Kafka's default 1 MB message size: it must be accepted, resolved and delivered in full.
import { eventually, json, startStack, type Stack } from '@herald/testing';

describe('a hook call near the 1 MiB cap', () => {
  let stack: Stack;
  let hookUrl: string;

  beforeAll(async () => {
    stack = await startStack();
    const bot = await stack.admin<{ id: string }>('POST', '/admin/bots', {
      name: 'Large request bot',
    });
    await stack.admin('POST', `/admin/bots/${bot.body.id}/channels`, {
      type: 'whatsapp',
      // WhatsApp's top throughput tier; the default (80/s) would pace 9,000 sends over two minutes.
      config: {
        phoneNumberId: '1065550002',
        accessToken: 'EAAG-test-token',
        messagesPerSecond: 1000,
        enforceCustomerServiceWindow: false,
      },
    });
    const broadcast = await stack.admin<{ hookKey: string }>(
      'POST',
      `/admin/bots/${bot.body.id}/broadcasts`,
      {
        name: 'Bulk',
        content: { messages: [{ text: 'Hi {{first_name}}' }] },
        settings: { directMode: true },
      },
    );
    hookUrl = `${stack.gatewayUrl}/hooks/${broadcast.body.hookKey}`;
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('accepts about 1 MiB of targets and delivers every one exactly once', async () => {
    const count = 9_000;
    const targets = Array.from({ length: count }, (_, i) => ({
      user_id: `1666${String(i).padStart(7, '0')}`,
      bot_channel: 'whatsapp',
      first_name: `Person${i}`,
      note: 'x'.repeat(28),
    }));
    const body = JSON.stringify({ targets });
    expect(Buffer.byteLength(body)).toBeGreaterThan(900_000);
    expect(Buffer.byteLength(body)).toBeLessThan(1024 * 1024);

    const accepted = await json<{ run_id: string }>(
      await fetch(hookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }),
    );
    expect(accepted.status).toBe(200);

    const run = await eventually(
      async () => {
        const { body: r } = await stack.admin<{ status: string; counts: Record<string, number> }>(
          'GET',
          `/admin/runs/${accepted.body.run_id}`,
        );
        return r.status === 'completed' ? r : undefined;
      },
      'the run to complete',
      90_000,
    );
    expect(run.counts).toMatchObject({ targeted: count, sent: count, failed: 0, skipped: 0 });
    const stats = await json<{ byChannel: { whatsapp: { unique: number; duplicates: number } } }>(
      await fetch(`${stack.sandboxUrl}/sandbox/stats`),
    );
    expect(stats.body.byChannel.whatsapp).toMatchObject({ unique: count, duplicates: 0 });
  }, 150_000);
});
