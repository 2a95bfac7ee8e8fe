// The on-demand hook (seeds 000/001) through the whole pipeline: each payload mode reaches the
// right people with the right text at the sandbox, and each setting refuses what it should.
import { eventually, json, startStack, type Stack } from '@herald/testing';
import { createBot, finishedRun, sandboxTexts } from '../integration/gateway/gateway-harness.js';

interface Accepted {
  success: boolean;
  run_id: string;
  scheduled_for: string;
}

describe('on-demand hook, end to end', () => {
  let stack: Stack;
  let bot: Awaited<ReturnType<typeof createBot>>;
  const keys: Record<string, string> = {};

  const hook = (name: string, body: unknown, headers: Record<string, string> = {}, query = '') =>
    fetch(`${stack.gatewayUrl}/hooks/${keys[name]}${query}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${bot.token}`,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const broadcast = async (name: string, spec: Record<string, unknown>) => {
    const created = await stack.admin<{ hookKey: string }>(
      'POST',
      `/admin/bots/${bot.botId}/broadcasts`,
      { name, ...spec },
    );
    expect(created.status).toBe(201);
    keys[name] = created.body.hookKey;
  };
  const texts = (channel: 'whatsapp' | 'sms', to: string) =>
    sandboxTexts(stack.sandboxUrl, channel, to);
  const receives = (channel: 'whatsapp' | 'sms', to: string, text: string) =>
    eventually(
      async () => (await texts(channel, to)).includes(text),
      `${to} to receive "${text}" on ${channel}`,
    );

  beforeAll(async () => {
    stack = await startStack();
    bot = await createBot(stack, { name: 'Hook bot', channels: ['whatsapp', 'sms'] });
    const imported = await stack.admin<{ created: number; updated: number }>(
      'POST',
      `/admin/bots/${bot.botId}/contacts`,
      [
        {
          channel: 'whatsapp',
          user_id: '15550100001',
          variables: { first_name: 'Ada', favorite_color: 'red' },
        },
        {
          channel: 'whatsapp',
          user_id: '15550100002',
          variables: { first_name: 'Bob', favorite_color: 'blue' },
        },
        {
          channel: 'whatsapp',
          user_id: '15550100003',
          variables: { first_name: 'Adele', favorite_color: 'red' },
        },
        {
          channel: 'sms',
          user_id: '+15550100004',
          phone: '+15550100004',
          variables: { first_name: 'Cy', favorite_color: 'red' },
        },
      ],
    );
    expect(imported.body).toEqual({ created: 4, updated: 0 });
    await broadcast('colors', {
      content: { messages: [{ text: 'Hi {{first_name}}, {{new_favorite_color}} it is' }] },
    });
    await broadcast('targets', {
      content: { messages: [{ text: 'Welcome {{first_name}} ({{plan}})' }] },
    });
    await broadcast('saved', {
      content: { messages: [{ text: 'Saved audience: {{first_name}}' }] },
      audience: { filters: [{ field: 'favorite_color', criteria: 'equals', value: 'blue' }] },
    });
    await broadcast('forward', {
      content: { messages: [{ text: 'Order {{payload.order.id}} for {{first_name}}' }] },
      audience: { filters: [{ field: 'first_name', criteria: 'Equals', value: 'Ada' }] },
      settings: { requireValidFilter: false },
    });
    await broadcast('single', {
      content: { messages: [{ text: 'Only one: {{first_name}}' }] },
      settings: { singleContact: true },
    });
    await broadcast('later', { content: { messages: [{ text: 'Later, {{first_name}}' }] } });
    await broadcast('disabled', {
      content: { messages: [{ text: 'x' }] },
      settings: { enabled: false },
    });
    await broadcast('noPost', {
      content: { messages: [{ text: 'x' }] },
      settings: { allowPost: false },
    });
    await broadcast('noGet', {
      content: { messages: [{ text: 'x' }] },
      settings: { allowGet: false },
    });
    await broadcast('elsewhere', {
      content: { messages: [{ text: 'x' }] },
      settings: { allowedHosts: ['10.0.0.0/8'] },
    });
    await broadcast('local', {
      content: { messages: [{ text: 'Local {{first_name}}' }] },
      settings: { allowedHosts: ['127.0.0.1', '::1'] },
    });
    await broadcast('direct', {
      content: { messages: [{ text: 'Direct {{first_name}}' }] },
      settings: { directMode: true },
    });
    await broadcast('legacy', {
      content: { messages: [{ text: 'Legacy {{first_name}}' }] },
      settings: { legacyMode: true },
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('targets mode: creates the contacts and sends each person their own text on their channel', async () => {
    const accepted = await json<Accepted>(
      await hook('targets', {
        targets: [
          { user_id: '15550100011', bot_channel: 'whatsapp', first_name: 'Grace', plan: 'gold' },
          {
            user_phone_number: '+15550100012',
            bot_channel: 'sms',
            first_name: 'Linus',
            plan: 'free',
          },
        ],
        delayminutes: 0,
      }),
    );
    expect(accepted).toMatchObject({
      status: 200,
      body: { success: true, run_id: expect.any(String), scheduled_for: expect.any(String) },
    });
    await receives('whatsapp', '15550100011', 'Welcome Grace (gold)');
    await receives('sms', '+15550100012', 'Welcome Linus (free)');
    const run = await finishedRun(stack.admin, accepted.body.run_id);
    expect(run).toMatchObject({
      status: 'completed',
      counts: { targeted: 2, sent: 2, failed: 0, skipped: 0 },
    });
  });

  it('audience and values: only the filtered contacts, with the variable set on each (AND, "Cointains", any case)', async () => {
    const accepted = await json<Accepted>(
      await hook('colors', {
        audience_filters: 'favorite_color,first_name',
        audience_criteria: 'EQUALS;Cointains',
        audience_values: 'red;Ad',
        set_variables: 'new_favorite_color',
        set_variables_values: 'magenta',
      }),
    );
    expect(accepted.status).toBe(200);
    const run = await finishedRun(stack.admin, accepted.body.run_id);
    expect(run).toMatchObject({ status: 'completed', counts: { targeted: 2, sent: 2 } });
    expect(await texts('whatsapp', '15550100001')).toContain('Hi Ada, magenta it is');
    expect(await texts('whatsapp', '15550100003')).toContain('Hi Adele, magenta it is');
    expect((await texts('whatsapp', '15550100002')).filter((t) => t.startsWith('Hi '))).toEqual([]);
    expect((await texts('sms', '+15550100004')).filter((t) => t.startsWith('Hi '))).toEqual([]);
  });

  it('audience and values with OR: either filter reaches the person', async () => {
    const accepted = await json<Accepted>(
      await hook('colors', {
        audience_filters: 'favorite_color;first_name',
        audience_criteria: 'Equals;Equals',
        audience_values: 'blue;Cy',
        audience_join: 'OR',
        set_variables: 'new_favorite_color',
        set_variables_values: 'teal',
      }),
    );
    const run = await finishedRun(stack.admin, accepted.body.run_id);
    expect(run).toMatchObject({ status: 'completed', counts: { targeted: 2, sent: 2 } });
    expect(await texts('whatsapp', '15550100002')).toContain('Hi Bob, teal it is');
    expect(await texts('sms', '+15550100004')).toContain('Hi Cy, teal it is');
  });

  it('legacy set_conversation: creates the conversation from set_variables and sends to it', async () => {
    const accepted = await json<Accepted>(
      await hook('targets', {
        set_conversation: true,
        set_variables: 'user_id;bot_channel;first_name;plan',
        set_variables_values: '15550100021;whatsapp;Zed;trial',
      }),
    );
    expect(accepted.status).toBe(200);
    await receives('whatsapp', '15550100021', 'Welcome Zed (trial)');
  });

  it('GET uses the saved audience', async () => {
    const accepted = await json<Accepted>(
      await fetch(`${stack.gatewayUrl}/hooks/${keys.saved}`, {
        headers: { authorization: `Bearer ${bot.token}` },
      }),
    );
    expect(accepted.status).toBe(200);
    const run = await finishedRun(stack.admin, accepted.body.run_id);
    expect(run.counts).toMatchObject({ targeted: 1, sent: 1 });
    expect(await texts('whatsapp', '15550100002')).toContain('Saved audience: Bob');
  });

  it('requireValidFilter off: any JSON is forwarded and renders as {{payload.x}}', async () => {
    const accepted = await json<Accepted>(
      await hook('forward', { order: { id: 'A-1001' }, event: 'shipped' }),
    );
    expect(accepted.status).toBe(200);
    await receives('whatsapp', '15550100001', 'Order A-1001 for Ada');
  });

  it('requireValidFilter on: a body that builds no filter is a 400 that says what to send', async () => {
    const refused = await json<{
      error: { code: string; field: string; message: string; fix: string };
    }>(await hook('colors', { order: { id: 'A-1' } }));
    expect(refused).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'INVALID_INPUT',
          field: 'body',
          fix: expect.stringContaining('requireValidFilter'),
        },
      },
    });
  });

  it('singleContact: one conversation, whatever the payload holds', async () => {
    const accepted = await json<Accepted>(
      await hook('single', {
        targets: [
          { user_id: '15550100031', bot_channel: 'whatsapp', first_name: 'One' },
          { user_id: '15550100032', bot_channel: 'whatsapp', first_name: 'Two' },
        ],
      }),
    );
    const run = await finishedRun(stack.admin, accepted.body.run_id);
    expect(run.counts).toMatchObject({ targeted: 1, sent: 1 });
    expect(await texts('whatsapp', '15550100031')).toEqual(['Only one: One']);
    expect(await texts('whatsapp', '15550100032')).toEqual([]);
  });

  it('delayminutes: the run waits (scheduled) and sends nothing before its time; it can be cancelled', async () => {
    const before = Date.now();
    const accepted = await json<Accepted>(
      await hook('later', {
        targets: [{ user_id: '15550100041', bot_channel: 'whatsapp', first_name: 'Tardy' }],
        delayminutes: 1,
      }),
    );
    expect(accepted.status).toBe(200);
    expect(Date.parse(accepted.body.scheduled_for) - before).toBeGreaterThanOrEqual(59_000);
    const scheduled = await eventually(async () => {
      const run = await stack.admin<{ status: string; scheduledFor: string }>(
        'GET',
        `/admin/runs/${accepted.body.run_id}`,
      );
      return run.status === 200 && run.body.status === 'scheduled' ? run.body : undefined;
    }, 'the run to be recorded as scheduled');
    expect(Date.parse(scheduled.scheduledFor)).toBe(Date.parse(accepted.body.scheduled_for));
    // The same broadcast without a delay, accepted after it: once that one has finished, a
    // delayed run started too early would have sent as well.
    const prompt = await json<Accepted>(
      await hook('later', {
        targets: [{ user_id: '15550100042', bot_channel: 'whatsapp', first_name: 'Prompt' }],
      }),
    );
    expect(await finishedRun(stack.admin, prompt.body.run_id)).toMatchObject({
      counts: { sent: 1 },
    });
    expect(await texts('whatsapp', '15550100041')).toEqual([]);
    const cancelled = await stack.admin<{ status: string }>(
      'POST',
      `/admin/runs/${accepted.body.run_id}/cancel`,
    );
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled' } });
  });

  it('answers 404 for an unknown key or a disabled broadcast, 405 for a verb switched off', async () => {
    expect(
      (
        await fetch(`${stack.gatewayUrl}/hooks/not-a-key`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(404);
    expect((await hook('disabled', { targets: [{ user_id: '1' }] })).status).toBe(404);
    const noPost = await json<{ error: { code: string } }>(
      await hook('noPost', { targets: [{ user_id: '1' }] }),
    );
    expect(noPost).toMatchObject({ status: 405, body: { error: { code: 'METHOD_NOT_ALLOWED' } } });
    expect(
      (
        await fetch(`${stack.gatewayUrl}/hooks/${keys.noGet}`, {
          headers: { authorization: `Bearer ${bot.token}` },
        })
      ).status,
    ).toBe(405);
  });

  it('answers 403 outside allowedHosts (X-Forwarded-For does not get a caller in) and accepts a listed caller', async () => {
    const outside = await json<{ error: { code: string; message: string } }>(
      await hook('elsewhere', { targets: [{ user_id: '1' }] }, { 'x-forwarded-for': '10.1.2.3' }),
    );
    expect(outside).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN', message: expect.stringContaining('127.0.0.1') } },
    });
    const local = await json<Accepted>(
      await hook('local', {
        targets: [{ user_id: '15550100051', bot_channel: 'whatsapp', first_name: 'Lo' }],
      }),
    );
    expect(local.status).toBe(200);
    await receives('whatsapp', '15550100051', 'Local Lo');
  });

  it('directMode needs no token; otherwise 401 without one; legacyMode also takes ?token=', async () => {
    const direct = await fetch(`${stack.gatewayUrl}/hooks/${keys.direct}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        targets: [{ user_id: '15550100061', bot_channel: 'whatsapp', first_name: 'Dee' }],
      }),
    });
    expect(direct.status).toBe(200);
    await receives('whatsapp', '15550100061', 'Direct Dee');
    const body = JSON.stringify({
      targets: [{ user_id: '15550100062', bot_channel: 'whatsapp', first_name: 'Leg' }],
    });
    const noToken = await fetch(`${stack.gatewayUrl}/hooks/${keys.legacy}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(noToken.status).toBe(401);
    const queryToken = await fetch(`${stack.gatewayUrl}/hooks/${keys.legacy}?token=${bot.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(queryToken.status).toBe(200);
    await receives('whatsapp', '15550100062', 'Legacy Leg');
    const wrong = await fetch(`${stack.gatewayUrl}/hooks/${keys.legacy}?token=hrt_wrong`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(wrong.status).toBe(401);
  });

  it('answers 400 for malformed JSON and 413, said plainly, over 1 MiB', async () => {
    const malformed = await json<{ error: { message: string } }>(
      await hook('targets', '{"targets": [{"user_id": '),
    );
    expect(malformed).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringContaining('not valid JSON') } },
    });
    const big = await json<{ error: { code: string; message: string } }>(
      await hook('targets', `{"pad": "${'x'.repeat(1024 * 1024)}"}`),
    );
    expect(big).toMatchObject({
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('1 MiB') } },
    });
  });

  it('names the problem of a body that is valid JSON but holds a __proto__ key', async () => {
    const poisoned = await json<{ error: { message: string; fix: string } }>(
      await hook('targets', '{"targets": [{"user_id": "1", "__proto__": {"admin": true}}]}'),
    );
    expect(poisoned).toMatchObject({
      status: 400,
      body: {
        error: { message: expect.stringContaining('"__proto__" key'), fix: expect.any(String) },
      },
    });
    expect(poisoned.body.error.message).not.toContain('not valid JSON');
  });

  it("answers a URL over Node's 16 KiB header limit with Herald's body (431), not Fastify's", async () => {
    const long = await json<{ error: { code: string; message: string; fix: string } }>(
      await hook('targets', '{}', {}, `?pad=${'x'.repeat(20_000)}`),
    );
    expect(long).toMatchObject({
      status: 431,
      body: {
        error: {
          code: 'INVALID_INPUT',
          message: expect.stringContaining('16 KiB'),
          fix: expect.stringContaining('JSON body'),
        },
      },
    });
  });
});
