// One person named twice in one run, in two different pages of targets (a user id early, the
// same number as a phone later): messaged once, the second listing skipped with its reason, and
// the run completes with counts that add up. Pages of two targets make the pages differ.
import { json, startStack, type Stack } from '@herald/testing';
import { createBot, finishedRun, sandboxTexts } from '../integration/gateway/gateway-harness.js';

describe('a person listed in two pages of one run', () => {
  let stack: Stack;
  let bot: Awaited<ReturnType<typeof createBot>>;
  let hookKey: string;

  beforeAll(async () => {
    stack = await startStack(undefined, { AUDIENCE_PAGE_SIZE: '2' });
    bot = await createBot(stack, { name: 'Listing bot', channels: ['whatsapp'] });
    const created = await stack.admin<{ hookKey: string }>(
      'POST',
      `/admin/bots/${bot.botId}/broadcasts`,
      {
        name: 'Twice',
        content: { messages: [{ text: 'Once for {{first_name}}' }] },
        settings: { directMode: true },
      },
    );
    hookKey = created.body.hookKey;
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('is messaged once; the later listing is skipped with a reason and the run completes', async () => {
    const targets = [
      { user_id: '15550400001', bot_channel: 'whatsapp', first_name: 'Ada' },
      { user_id: '15550400002', bot_channel: 'whatsapp', first_name: 'Bob' },
      { user_id: '15550400003', bot_channel: 'whatsapp', first_name: 'Cy' },
      // Page 1 again names Ada, by phone alone this time (with a channel, her number would be
      // her WhatsApp id and the request itself would already name her once).
      { user_phone_number: '+15550400001', first_name: 'Ada' },
    ];
    const accepted = await json<{ run_id: string }>(
      await fetch(`${stack.gatewayUrl}/hooks/${hookKey}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bot.token}` },
        body: JSON.stringify({ targets }),
      }),
    );
    expect(accepted.status).toBe(200);

    const run = await finishedRun(stack.admin, accepted.body.run_id, 45_000);
    expect(run).toMatchObject({
      status: 'completed',
      counts: { targeted: 4, sent: 3, skipped: 1, failed: 0 },
    });
    expect(await sandboxTexts(stack.sandboxUrl, 'whatsapp', '15550400001')).toEqual([
      'Once for Ada',
    ]);
    expect(await sandboxTexts(stack.sandboxUrl, 'whatsapp', '15550400003')).toEqual([
      'Once for Cy',
    ]);
  }, 60_000);
});
