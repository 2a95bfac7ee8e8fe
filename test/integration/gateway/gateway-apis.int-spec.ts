// What each public API answers and exactly what it puts on broadcast.requested.v1 (the contract
// the audience and contact services build on), on the real gateway, Kafka and PostgreSQL, with
// the checks each API makes before anything is published.
import { Topics, type BroadcastRequested } from '@herald/contracts';
import { json } from '@herald/testing';
import { createBot, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

interface Accepted {
  success: boolean;
  run_id: string;
  scheduled_for: string;
}

describe('gateway public APIs (gateway alone, real Kafka and PostgreSQL)', () => {
  let h: GatewayHarness;
  let bot: Awaited<ReturnType<typeof createBot>>;
  let other: Awaited<ReturnType<typeof createBot>>;
  let hookKey: string;
  let broadcastId: string;
  /** Run ids answered 2xx, to find their events at the end. */
  const published = new Map<string, (event: BroadcastRequested) => void>();

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${h.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const hook = (body: unknown, headers: Record<string, string> = {}, key = hookKey) =>
    post(`/hooks/${key}`, body, { authorization: `Bearer ${bot.token}`, ...headers });
  const expectEvent = (runId: string, check: (event: BroadcastRequested) => void) =>
    published.set(runId, check);

  beforeAll(async () => {
    h = await startGatewayHarness();
    bot = await createBot(h, {
      channels: ['whatsapp', 'messenger'],
      blocks: { welcome: [{ text: 'Hi {{first_name}}' }] },
      rateLimitRps: 3,
    });
    other = await createBot(h, { name: 'Other bot' });
    const broadcast = await h.admin<{ id: string; hookKey: string }>(
      'POST',
      `/admin/bots/${bot.botId}/broadcasts`,
      {
        name: 'Hooked',
        content: { blockId: 'welcome' },
      },
    );
    hookKey = broadcast.body.hookKey;
    broadcastId = broadcast.body.id;
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  describe('on-demand hook', () => {
    it('publishes targets, variables and a delay, and answers 200 {success, run_id, scheduled_for}', async () => {
      const before = Date.now();
      const response = await json<Accepted>(
        await hook({
          targets: [
            { user_id: '15551234567', bot_channel: 'whatsapp', first_name: 'Ada' },
            { user_id: 'psid-9' },
          ],
          set_variables: 'campaign',
          set_variables_values: 'spring',
          delayminutes: 5,
        }),
      );
      expect(response.status).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(['run_id', 'scheduled_for', 'success']);
      const scheduled = Date.parse(response.body.scheduled_for);
      expect(scheduled).toBeGreaterThanOrEqual(before + 5 * 60_000 - 1_000);
      expect(scheduled).toBeLessThanOrEqual(Date.now() + 5 * 60_000 + 1_000);
      expectEvent(response.body.run_id, (event) => {
        expect(event).toMatchObject({
          botId: bot.botId,
          broadcastId,
          source: 'hook',
          scheduledFor: response.body.scheduled_for,
          setVariables: { campaign: 'spring' },
          targets: [
            {
              userId: '15551234567',
              channel: 'whatsapp',
              variables: { first_name: 'Ada' },
              create: true,
            },
            { userId: 'psid-9', create: false },
          ],
        });
        expect(event.audience).toBeUndefined();
      });
    });

    it('publishes an audience built from the filters, criteria read case-insensitively', async () => {
      const response = await json<Accepted>(
        await hook({
          audience_filters: 'favorite_color,first_name',
          audience_criteria: 'equals;COINTAINS',
          audience_values: 'red;Ad',
          audience_join: 'or',
        }),
      );
      expect(response.status).toBe(200);
      expectEvent(response.body.run_id, (event) => {
        expect(event.audience).toEqual({
          filters: [
            { field: 'favorite_color', criteria: 'Equals', value: 'red' },
            { field: 'first_name', criteria: 'Contains', value: 'Ad' },
          ],
          joins: ['OR'],
        });
        expect(event.targets).toBeUndefined();
      });
    });

    it('GET uses the saved audience (no audience, no targets in the event)', async () => {
      const response = await json<Accepted>(
        await fetch(`${h.url}/hooks/${hookKey}`, {
          headers: { authorization: `Bearer ${bot.token}` },
        }),
      );
      expect(response.status).toBe(200);
      expectEvent(response.body.run_id, (event) => {
        expect(event).toMatchObject({ source: 'hook', broadcastId });
        expect(event.audience).toBeUndefined();
        expect(event.targets).toBeUndefined();
        expect(event.scheduledFor).toBeUndefined();
      });
    });

    it('answers 400 naming the field for each kind of bad payload, and publishes nothing for it', async () => {
      const cases: Array<[unknown, string]> = [
        [
          { audience_filters: 'a;b', audience_criteria: 'Equals', audience_values: '1;2' },
          'audience_criteria',
        ],
        [
          { audience_filters: 'a', audience_criteria: 'Like', audience_values: '1' },
          'audience_criteria',
        ],
        [
          {
            audience_filters: 'a;;b',
            audience_criteria: 'Equals;Equals;Equals',
            audience_values: '1;2;3',
          },
          'audience_filters',
        ],
        [{ targets: [{ bot_channel: 'sms' }] }, 'targets[0].user_id'],
        [{ delayminutes: 43_201, targets: [{ user_id: '1' }] }, 'delayminutes'],
        [{ hello: 'world' }, 'body'],
        ['[1,2', 'body'],
      ];
      for (const [body, field] of cases) {
        const response = await json<{ error: { code: string; field?: string; message: string } }>(
          await hook(body),
        );
        expect({ body, status: response.status, code: response.body.error.code }).toEqual({
          body,
          status: 400,
          code: 'INVALID_INPUT',
        });
        if (field !== 'body' || typeof body !== 'string')
          expect(response.body.error.field).toBe(field);
        else expect(response.body.error.message).toMatch(/not valid JSON/);
      }
    });

    it("answers 401 without a token, for another bot's token, and for a revoked one", async () => {
      expect((await post(`/hooks/${hookKey}`, { targets: [{ user_id: '1' }] })).status).toBe(401);
      expect(
        (await hook({ targets: [{ user_id: '1' }] }, { authorization: `Bearer ${other.token}` }))
          .status,
      ).toBe(401);
      const spare = await h.admin<{ id: string; token: string }>(
        'POST',
        `/admin/bots/${bot.botId}/tokens`,
        { name: 'spare' },
      );
      const withSpare = await json<Accepted>(
        await hook(
          { targets: [{ user_id: '1' }] },
          { authorization: `Bearer ${spare.body.token}` },
        ),
      );
      expect(withSpare.status).toBe(200);
      expectEvent(withSpare.body.run_id, (event) => expect(event.botId).toBe(bot.botId));
      expect(
        (await h.admin('DELETE', `/admin/bots/${bot.botId}/tokens/${spare.body.id}`)).status,
      ).toBe(204);
      // Revocation is immediate: the database notifies the gateway at commit, before the DELETE answers.
      const revoked = await json<{ error: { code: string } }>(
        await hook(
          { targets: [{ user_id: '1' }] },
          { authorization: `Bearer ${spare.body.token}` },
        ),
      );
      expect(revoked.status).toBe(401);
      expect(revoked.body.error.code).toBe('UNAUTHORIZED');
      // ?token= is not a way in unless legacyMode is on.
      expect(
        (await post(`/hooks/${hookKey}?token=${bot.token}`, { targets: [{ user_id: '1' }] }))
          .status,
      ).toBe(401);
    });

    it('answers 413 over 1 MiB and accepts a body of exactly 1 MiB', async () => {
      const base = JSON.stringify({
        targets: [{ user_id: '15551234567', bot_channel: 'whatsapp' }],
      });
      const exactly = base + ' '.repeat(1024 * 1024 - Buffer.byteLength(base));
      expect(Buffer.byteLength(exactly)).toBe(1024 * 1024);
      const accepted = await json<Accepted>(await hook(exactly));
      expect(accepted.status).toBe(200);
      expectEvent(accepted.body.run_id, (event) =>
        expect(event.targets).toEqual([
          { userId: '15551234567', phone: '+15551234567', channel: 'whatsapp', create: true },
        ]),
      );
      const over = await json<{ error: { code: string; message: string } }>(
        await hook(`${exactly} `),
      );
      expect(over.status).toBe(413);
      expect(over.body.error).toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
        message: 'The request body is larger than the 1 MiB limit. Send fewer targets per call.',
      });
    });

    it("answers a key longer than any key with Herald's error body and a fix, not the router's own", async () => {
      const answer = await json<{ error: { code: string; message: string; fix: string } }>(
        await fetch(`${h.url}/hooks/${'k'.repeat(150)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        }),
      );
      expect(answer.status).toBe(414);
      expect(answer.body.error).toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringContaining('longer than 100 characters'),
        fix: expect.any(String),
      });
    });

    it('refuses other verbs (and HEAD, which must not launch anything) with 405', async () => {
      for (const method of ['PUT', 'PATCH', 'DELETE', 'HEAD']) {
        expect({
          method,
          status: (
            await fetch(`${h.url}/hooks/${hookKey}`, {
              method,
              headers: { authorization: `Bearer ${bot.token}` },
            })
          ).status,
        }).toEqual({
          method,
          status: 405,
        });
      }
    });
  });

  describe('Chatfuel-style V1', () => {
    const v1 = (query: string, body?: unknown, user = '2411220000000001') =>
      post(`/bots/${bot.botId}/users/${user}/send?${query}`, body === undefined ? '' : body);

    it('takes everything from the query with an empty JSON body, and publishes the Messenger target with its attributes and tag', async () => {
      const response = await json<{ success: boolean; result: string }>(
        await v1(
          `bot_token=${bot.token}&block_name=welcome&first_name=Ada&messaging_tag=%22CONFIRMED_EVENT_UPDATE%22`,
        ),
      );
      expect(response).toMatchObject({
        status: 200,
        body: { success: true, result: expect.stringContaining('queued') },
      });
      expect(Object.keys(response.body).sort()).toEqual(['result', 'success']);
      const runId = /run ([0-9a-f-]{36})/.exec(response.body.result)![1];
      expectEvent(runId, (event) => {
        expect(event).toMatchObject({
          botId: bot.botId,
          source: 'chatfuel-v1',
          content: { blockId: bot.blockIds.welcome },
          targets: [
            {
              userId: '2411220000000001',
              fbid: '2411220000000001',
              channel: 'messenger',
              variables: { first_name: 'Ada' },
              create: false,
            },
          ],
          options: { messagingTag: 'CONFIRMED_EVENT_UPDATE' },
        });
      });
    });

    it("takes the parameters from a JSON body under Chatfuel's own names", async () => {
      const response = await json<{ success: boolean; result: string }>(
        await v1('', {
          chatfuel_token: bot.token,
          chatfuel_block_id: bot.blockIds.welcome,
          chatfuel_message_tag: 'HUMAN_AGENT',
        }),
      );
      expect(response.status).toBe(200);
      const runId = /run ([0-9a-f-]{36})/.exec(response.body.result)![1];
      expectEvent(runId, (event) => expect(event.options).toEqual({ messagingTag: 'HUMAN_AGENT' }));
    });

    it('answers {success: false, result} with 401 and 400', async () => {
      const bad = await json<{ success: boolean; result: string }>(
        await v1('bot_token=nope&block_name=welcome'),
      );
      expect(bad).toEqual({
        status: 401,
        body: { success: false, result: expect.stringContaining('token') },
      });
      const cases: Array<[string, RegExp]> = [
        [`bot_token=${bot.token}&block_name=nope`, /Block "nope" does not exist/],
        [
          `bot_token=${bot.token}&block_name=welcome&messaging_tag=SHIPPING_UPDATE`,
          /not a messaging tag.*CONFIRMED_EVENT_UPDATE/,
        ],
        [`bot_token=${bot.token}&chatfuel_user_id=1`, /reserved/],
      ];
      for (const [query, result] of cases) {
        const response = await json<{ success: boolean; result: string }>(await v1(query));
        expect(response).toEqual({
          status: 400,
          body: { success: false, result: expect.stringMatching(result) },
        });
      }
    });

    it("answers 429 with Retry-After over the bot's rate (bots.rate_limit_rps)", async () => {
      const slow = await createBot(h, {
        name: 'Rate-limited bot',
        blocks: { welcome: [{ text: 'Hi' }] },
        rateLimitRps: 2,
      });
      const responses = await Promise.all(
        Array.from({ length: 8 }, () =>
          post(
            `/bots/${slow.botId}/users/2411/send?bot_token=${slow.token}&block_name=welcome`,
            '',
          ),
        ),
      );
      const statuses = responses.map((r) => r.status);
      // A full bucket holds 2; the burst takes well under the 500 ms in which a third token refills.
      expect(statuses.filter((s) => s === 200).length).toBe(2);
      expect(statuses.filter((s) => s === 429).length).toBe(6);
      const limited = responses.find((r) => r.status === 429)!;
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await limited.json()).toEqual({
        success: false,
        result: expect.stringContaining('2 requests per second'),
      });
      for (const response of responses.filter((r) => r.status === 200)) {
        const runId = /run ([0-9a-f-]{36})/.exec(
          ((await response.json()) as { result: string }).result,
        )![1];
        expectEvent(runId, (event) => expect(event.botId).toBe(slow.botId));
      }
    });
  });

  describe('Chatfuel-style V2', () => {
    it('publishes every identifier on the target and the priority and tokens in the options, at both paths', async () => {
      for (const path of [`/v2/${bot.botId}/send`, `/public/bots/${bot.botId}/send`]) {
        const response = await json<{ success: boolean; result: string; run_id: string }>(
          await post(
            path,
            {
              customer_id: 'crm-42',
              customer_email: 'ada@example.com',
              customer_phone: '+15551234567',
              customer_fbid: '2411220000000001',
              block_id: 'welcome',
              notification_messages_token: 'ntn',
              one_time_notif_token: 'otn',
            },
            { authorization: `Bearer ${bot.token}` },
          ),
        );
        expect(response).toEqual({
          status: 200,
          body: { success: true, result: 'Queued.', run_id: expect.any(String) },
        });
        expectEvent(response.body.run_id, (event) => {
          expect(event).toMatchObject({
            source: 'chatfuel-v2',
            content: { blockId: bot.blockIds.welcome },
            targets: [
              {
                userId: 'crm-42',
                email: 'ada@example.com',
                phone: '+15551234567',
                fbid: '2411220000000001',
              },
            ],
            options: {
              priority: ['fbid', 'phone', 'email'],
              notificationMessagesToken: 'ntn',
              oneTimeNotifToken: 'otn',
            },
          });
        });
      }
    });

    it('answers {success: false, result} for no identifier, both or neither content, and a bad token', async () => {
      const auth = { authorization: `Bearer ${bot.token}` };
      const none = await json<{ success: boolean; result: string }>(
        await post(`/v2/${bot.botId}/send`, { messages: [{ text: 'x' }] }, auth),
      );
      expect(none).toEqual({
        status: 400,
        body: { success: false, result: expect.stringContaining('at least one') },
      });
      const both = await post(
        `/v2/${bot.botId}/send`,
        { customer_id: '1', block_id: 'welcome', messages: [{ text: 'x' }] },
        auth,
      );
      expect(both.status).toBe(400);
      const unknownBlock = await post(
        `/v2/${bot.botId}/send`,
        { customer_id: '1', block_id: 'nope' },
        auth,
      );
      expect(unknownBlock.status).toBe(400);
      const otherBots = await json<{ success: boolean }>(
        await post(
          `/v2/${bot.botId}/send`,
          { customer_id: '1', block_id: 'welcome' },
          { authorization: `Bearer ${other.token}` },
        ),
      );
      expect(otherBots).toEqual({
        status: 401,
        body: { success: false, result: expect.any(String) },
      });
    });
  });

  describe('CSML-style broadcasts', () => {
    it("answers the seed's request with request_id, the client completed and the payload echoed", async () => {
      const response = await json<Record<string, unknown>>(
        await post(
          '/v1/api/broadcasts',
          {
            payload: { content: { flow_id: 'welcome' }, content_type: 'flow_trigger' },
            client: { user_id: 'some-user-id' },
            metadata: { somekey: 'somevalue' },
          },
          { accept: 'application/json', 'x-api-key': bot.token },
        ),
      );
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        // The seed's user id is no phone number, so it can only be a Messenger user of this bot.
        client: {
          user_id: 'some-user-id',
          bot_id: bot.botId,
          channel_id: bot.channelIds.messenger,
        },
        payload: {
          content_type: 'flow_trigger',
          content: { flow_id: 'welcome', close_flows: true },
        },
        metadata: { somekey: 'somevalue' },
      });
      expectEvent(response.body.request_id as string, (event) => {
        expect(event).toMatchObject({
          source: 'csml',
          content: { blockId: bot.blockIds.welcome },
          targets: [{ userId: 'some-user-id', channel: 'messenger', create: false }],
          payload: { somekey: 'somevalue' },
        });
      });
    });

    it('uses the channel given, and answers 400 for a channel or flow the bot does not have, 401 without the key', async () => {
      const body = (client: Record<string, unknown>, flow = 'welcome') => ({
        payload: { content_type: 'flow_trigger', content: { flow_id: flow, close_flows: false } },
        client,
      });
      const given = await json<{ request_id: string; client: { channel_id: string } }>(
        await post(
          '/v1/api/broadcasts',
          body({ user_id: 'u1', channel_id: bot.channelIds.messenger }),
          { 'x-api-key': bot.token },
        ),
      );
      expect(given.status).toBe(200);
      expect(given.body.client.channel_id).toBe(bot.channelIds.messenger);
      expectEvent(given.body.request_id, (event) =>
        expect(event.targets).toEqual([{ userId: 'u1', channel: 'messenger', create: false }]),
      );
      const badChannel = await json<{ error: { field: string } }>(
        await post('/v1/api/broadcasts', body({ user_id: 'u1', channel_id: 'x' }), {
          'x-api-key': bot.token,
        }),
      );
      expect(badChannel).toMatchObject({
        status: 400,
        body: { error: { field: 'client.channel_id' } },
      });
      const badFlow = await json<{ error: { field: string } }>(
        await post('/v1/api/broadcasts', body({ user_id: 'u1' }, 'nope'), {
          'x-api-key': bot.token,
        }),
      );
      expect(badFlow).toMatchObject({
        status: 400,
        body: { error: { field: 'payload.content.flow_id' } },
      });
      expect((await post('/v1/api/broadcasts', body({ user_id: 'u1' }))).status).toBe(401);
    });
  });

  it('published exactly the accepted requests, each as described', async () => {
    const events = await h.events(published.size);
    // Nothing else went out: no rejected request published anything.
    expect(await h.probe.endOffset(Topics.BroadcastRequested)).toBe(published.size);
    for (const [runId, check] of published) {
      const event = events.get(runId);
      expect({ runId, found: event !== undefined }).toEqual({ runId, found: true });
      check(event!);
    }
  });
});
