// The Chatfuel-style APIs (seed 002) through the whole pipeline: V1 sends a block to a Messenger
// user with their attributes set first (and its messaging tag reaching Messenger), V2 reaches a
// customer by any identifier; both answer {success, result} whatever happens.
import { eventually, json, startStack, type Stack } from '@herald/testing';
import { createBot, finishedRun, sandboxTexts } from '../integration/gateway/gateway-harness.js';

interface ChatfuelAnswer {
  success: boolean;
  result: string;
  run_id?: string;
}

const PSID = '2411000000000001';
const PSID_CLOSED = '2411000000000002';
const runOf = (answer: ChatfuelAnswer) =>
  answer.run_id ?? /run ([0-9a-f-]{36})/.exec(answer.result)?.[1] ?? '';

describe('Chatfuel-style V1 and V2, end to end', () => {
  let stack: Stack;
  let bot: Awaited<ReturnType<typeof createBot>>;

  const v1 = (user: string, query: string, body?: unknown) =>
    fetch(`${stack.gatewayUrl}/bots/${bot.botId}/users/${user}/send?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? '' : JSON.stringify(body),
    });
  const v2 = (body: unknown, path = `/v2/${bot.botId}/send`) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bot.token}` },
      body: JSON.stringify(body),
    });
  const receives = (channel: 'whatsapp' | 'messenger', to: string, text: string) =>
    eventually(
      async () => (await sandboxTexts(stack.sandboxUrl, channel, to)).includes(text),
      `${to} to receive "${text}" on ${channel}`,
    );
  const contact = async (userId: string) => {
    const page = await stack.admin<{
      contacts: Array<{ userId: string; email: string | null; variables: Record<string, string> }>;
    }>('GET', `/admin/bots/${bot.botId}/contacts?limit=1000`);
    return page.body.contacts.find((c) => c.userId === userId);
  };

  beforeAll(async () => {
    stack = await startStack();
    bot = await createBot(stack, {
      name: 'Chatfuel bot',
      channels: ['messenger', 'whatsapp'],
      blocks: {
        welcome: [{ text: 'Hi {{first_name}}, your plan is {{plan}}' }],
        update: [{ text: 'Your order {{order_id}} shipped' }],
      },
    });
    const imported = await stack.admin('POST', `/admin/bots/${bot.botId}/contacts`, [
      {
        channel: 'messenger',
        user_id: PSID,
        fbid: PSID,
        variables: { first_name: 'Ada', plan: 'free' },
      },
      {
        channel: 'messenger',
        user_id: PSID_CLOSED,
        fbid: PSID_CLOSED,
        variables: { first_name: 'Bea' },
      },
      {
        channel: 'whatsapp',
        user_id: '15550200001',
        phone: '+15550200001',
        variables: { first_name: 'Cid', plan: 'pro' },
      },
    ]);
    expect(imported.status).toBe(200);
    // Bea's 24-hour window is closed: Messenger refuses her untagged messages.
    const faults = await fetch(`${stack.sandboxUrl}/sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: 'messenger',
        rejectRecipients: { [PSID_CLOSED]: { code: 10, subcode: 2018278 } },
      }),
    });
    expect(faults.status).toBe(200);
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  describe('V1: POST /bots/:botId/users/:userId/send', () => {
    it('sets the attributes from the query before rendering the block (empty JSON body), and answers {success, result}', async () => {
      const answer = await json<ChatfuelAnswer>(
        await v1(PSID, `bot_token=${bot.token}&block_name=welcome&plan=gold`),
      );
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ success: true, result: expect.stringContaining('queued') });
      await receives('messenger', PSID, 'Hi Ada, your plan is gold');
      expect((await contact(PSID))?.variables).toMatchObject({ first_name: 'Ada', plan: 'gold' });
    });

    it("takes Chatfuel's names in a JSON body; its messaging tag gets a message through a closed window", async () => {
      const tagged = await json<ChatfuelAnswer>(
        await v1(PSID_CLOSED, '', {
          chatfuel_token: bot.token,
          chatfuel_block_name: 'update',
          chatfuel_message_tag: 'POST_PURCHASE_UPDATE',
          order_id: 'A-7',
        }),
      );
      expect(tagged.body.success).toBe(true);
      await receives('messenger', PSID_CLOSED, 'Your order A-7 shipped');
      // The same without the tag: Messenger refuses it, and the run says so.
      const untagged = await json<ChatfuelAnswer>(
        await v1(
          PSID_CLOSED,
          `bot_token=${bot.token}&block_id=${bot.blockIds.update}&order_id=A-8`,
        ),
      );
      const run = await finishedRun(stack.admin, runOf(untagged.body));
      expect(run.counts).toMatchObject({ sent: 0, failed: 1 });
      expect(await sandboxTexts(stack.sandboxUrl, 'messenger', PSID_CLOSED)).not.toContain(
        'Your order A-8 shipped',
      );
    });

    it('only sets attributes when no block is given', async () => {
      const answer = await json<ChatfuelAnswer>(
        await v1(PSID, `bot_token=${bot.token}&loyalty=platinum`),
      );
      expect(answer).toEqual({
        status: 200,
        body: { success: true, result: expect.stringContaining('1 attribute') },
      });
      expect((await contact(PSID))?.variables).toMatchObject({ loyalty: 'platinum' });
    });

    it('an unknown user is skipped in the run, with a reason', async () => {
      const answer = await json<ChatfuelAnswer>(
        await v1('2411999999999999', `bot_token=${bot.token}&block_name=welcome`),
      );
      expect(answer.body.success).toBe(true);
      const run = await finishedRun(stack.admin, runOf(answer.body));
      expect(run.counts).toMatchObject({ targeted: 1, sent: 0, skipped: 1 });
      expect(await contact('2411999999999999')).toBeUndefined();
    });

    it('answers {success: false, result} for a bad token (401), an unknown block, a bad tag, a reserved name (400)', async () => {
      expect(await json(await v1(PSID, 'bot_token=hrt_nope&block_name=welcome'))).toEqual({
        status: 401,
        body: { success: false, result: expect.any(String) },
      });
      for (const query of [
        `bot_token=${bot.token}&block_name=missing`,
        `bot_token=${bot.token}&block_name=welcome&messaging_tag=SHIPPING_UPDATE`,
        `bot_token=${bot.token}&block_name=welcome&chatfuel_plan=x`,
      ]) {
        expect(await json(await v1(PSID, query))).toEqual({
          status: 400,
          body: { success: false, result: expect.any(String) },
        });
      }
    });
  });

  describe('V2: POST /v2/:botId/send and /public/bots/:botId/send', () => {
    it('reaches a customer by phone with direct messages, and answers {success, result, run_id}', async () => {
      const answer = await json<ChatfuelAnswer>(
        await v2({
          customer_phone: '+15550200001',
          messages: [{ text: 'Noi dung tin nhan, {{first_name}}' }],
        }),
      );
      expect(answer).toEqual({
        status: 200,
        body: { success: true, result: expect.any(String), run_id: expect.any(String) },
      });
      await receives('whatsapp', '15550200001', 'Noi dung tin nhan, Cid');
      expect(await finishedRun(stack.admin, answer.body.run_id!)).toMatchObject({
        status: 'completed',
        counts: { sent: 1 },
      });
    });

    it('follows priority: fbid first picks Messenger, and the extra identifiers update the contact', async () => {
      const answer = await json<ChatfuelAnswer>(
        await v2(
          {
            customer_fbid: PSID,
            customer_email: 'ada@example.com',
            block_id: 'welcome',
            priority: ['fbid', 'phone'],
          },
          `/public/bots/${bot.botId}/send`,
        ),
      );
      expect(answer.status).toBe(200);
      await receives('messenger', PSID, 'Hi Ada, your plan is gold');
      await eventually(
        async () => (await contact(PSID))?.email === 'ada@example.com',
        'the contact to carry the new email',
      );
    });

    it('sends to a notification messages token when given one', async () => {
      const answer = await json<ChatfuelAnswer>(
        await v2({
          customer_fbid: PSID,
          messages: [{ text: 'Back in stock' }],
          notification_messages_token: 'ntn-token-1',
        }),
      );
      expect(answer.status).toBe(200);
      await receives('messenger', 'ntn-token-1', 'Back in stock');
    });

    it('answers {success: false, result}: no identifier, both contents, unknown block (400), bad token (401)', async () => {
      expect(await json(await v2({ messages: [{ text: 'x' }] }))).toEqual({
        status: 400,
        body: { success: false, result: expect.stringContaining('at least one') },
      });
      expect(
        (await v2({ customer_id: '1', block_id: 'welcome', messages: [{ text: 'x' }] })).status,
      ).toBe(400);
      expect((await v2({ customer_id: '1', block_id: 'missing' })).status).toBe(400);
      const anonymous = await fetch(`${stack.gatewayUrl}/v2/${bot.botId}/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customer_id: '1', block_id: 'welcome' }),
      });
      expect(await json(anonymous)).toEqual({
        status: 401,
        body: { success: false, result: expect.any(String) },
      });
    });
  });
});
