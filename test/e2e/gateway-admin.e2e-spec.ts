// The admin API through the whole pipeline: bots, tokens, channels, blocks and broadcasts as the
// console uses them, the bulk contact import and its keyset pages, run deliveries and cancelling,
// Idempotency-Key as seen at the provider, and the OpenAPI document.
import { eventually, json, startStack, type Stack } from '@herald/testing';
import { createBot, finishedRun, sandboxTexts } from '../integration/gateway/gateway-harness.js';

interface Page<T> {
  nextCursor: string | null;
  [key: string]: T[] | string | null;
}

describe('admin API, end to end', () => {
  let stack: Stack;
  let bot: Awaited<ReturnType<typeof createBot>>;

  /** Every item of a keyset-paged list, following nextCursor. */
  async function all<T>(
    path: string,
    key: string,
    limit: number,
  ): Promise<{ items: T[]; pages: number }> {
    const items: T[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page: { status: number; body: Page<T> } = await stack.admin<Page<T>>(
        'GET',
        `${path}${separator}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      items.push(...(page.body[key] as T[]));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    return { items, pages };
  }

  beforeAll(async () => {
    stack = await startStack();
    bot = await createBot(stack, {
      name: 'Admin bot',
      channels: ['whatsapp'],
      blocks: { hello: [{ text: 'Hello {{first_name}}' }] },
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses every admin route without the admin key', async () => {
    for (const [method, path] of [
      ['GET', '/admin/bots'],
      ['POST', '/admin/bots'],
      ['GET', `/admin/runs/${bot.botId}`],
    ]) {
      const response = await json<{ error: { code: string } }>(
        await fetch(`${stack.gatewayUrl}${path}`, {
          method,
          headers: { authorization: 'Bearer wrong-key' },
        }),
      );
      expect({ path, status: response.status, code: response.body.error.code }).toEqual({
        path,
        status: 401,
        code: 'UNAUTHORIZED',
      });
    }
  });

  it('bots: get, list in keyset pages, change the V1 rate limit', async () => {
    const got = await stack.admin<{ id: string; name: string; rateLimitRps: number }>(
      'GET',
      `/admin/bots/${bot.botId}`,
    );
    expect(got.body).toMatchObject({ id: bot.botId, name: 'Admin bot', rateLimitRps: 25 });
    const { items } = await all<{ id: string }>('/admin/bots', 'bots', 2);
    expect(items.map((b) => b.id)).toContain(bot.botId);
    expect(new Set(items.map((b) => b.id)).size).toBe(items.length);
    const patched = await stack.admin('PATCH', `/admin/bots/${bot.botId}`, { rateLimitRps: 50 });
    expect(patched.body).toMatchObject({ rateLimitRps: 50 });
    expect(
      (await stack.admin('PATCH', `/admin/bots/${bot.botId}`, { rateLimitRps: 0 })).status,
    ).toBe(400);
    expect((await stack.admin('GET', '/admin/bots/not-a-uuid')).status).toBe(400);
    expect(
      (await stack.admin('GET', '/admin/bots/0b6f3a44-2f55-4b8e-9a6b-3c1f0f8e2a11')).status,
    ).toBe(404);
  });

  it('tokens: listed without secrets; a revoked one stops working at once (within the 2 s cache)', async () => {
    const issued = await stack.admin<{ id: string; token: string }>(
      'POST',
      `/admin/bots/${bot.botId}/tokens`,
      { name: 'temp' },
    );
    expect(issued.status).toBe(201);
    const listed = await stack.admin<{ tokens: Array<Record<string, unknown>> }>(
      'GET',
      `/admin/bots/${bot.botId}/tokens`,
    );
    expect(listed.body.tokens.map((t) => t.name)).toEqual(expect.arrayContaining(['test', 'temp']));
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.token);
    expect(
      (await stack.admin('DELETE', `/admin/bots/${bot.botId}/tokens/${issued.body.id}`)).status,
    ).toBe(204);
    const revoked = await stack.admin<{ tokens: Array<{ id: string; revokedAt: string | null }> }>(
      'GET',
      `/admin/bots/${bot.botId}/tokens`,
    );
    expect(revoked.body.tokens.find((t) => t.id === issued.body.id)?.revokedAt).toEqual(
      expect.any(String),
    );
    const useIt = () =>
      fetch(`${stack.gatewayUrl}/v2/${bot.botId}/send`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${issued.body.token}`,
        },
        body: JSON.stringify({ customer_phone: '+15550300009', block_id: 'hello' }),
      });
    await eventually(
      async () => (await useIt()).status === 401,
      'the revoked token to be refused',
      5_000,
    );
  });

  it('channels and blocks are listed, credentials never', async () => {
    const channels = await stack.admin<{
      channels: Array<{ type: string; config: Record<string, unknown> }>;
    }>('GET', `/admin/bots/${bot.botId}/channels`);
    expect(channels.body.channels).toEqual([
      expect.objectContaining({
        type: 'whatsapp',
        config: expect.objectContaining({ phoneNumberId: '1065550001' }),
      }),
    ]);
    expect(JSON.stringify(channels.body)).not.toContain('EAAG-test');
    const blocks = await all<{ name: string }>(`/admin/bots/${bot.botId}/blocks`, 'blocks', 10);
    expect(blocks.items.map((b) => b.name)).toEqual(['hello']);
  });

  it('contacts: imports 10,000 in one call (created, then updated) and pages through them by keyset', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      channel: 'whatsapp',
      user_id: String(15_559_000_000 + i),
      variables: { first_name: `P${i}`, batch: 'one' },
    }));
    const started = Date.now();
    const first = await stack.admin<{ created: number; updated: number }>(
      'POST',
      `/admin/bots/${bot.botId}/contacts`,
      rows,
    );
    const importMs = Date.now() - started;
    expect(first).toEqual({ status: 200, body: { created: 10_000, updated: 0 } });
    // Well within a request timeout on the 2-core CI machine.
    expect(importMs).toBeLessThan(15_000);
    const again = await stack.admin('POST', `/admin/bots/${bot.botId}/contacts`, [
      ...rows.slice(0, 3).map((r) => ({ ...r, variables: { batch: 'two' } })),
      { channel: 'whatsapp', user_id: '15550300001', variables: { first_name: 'New' } },
    ]);
    expect(again.body).toEqual({ created: 1, updated: 3 });
    const { items, pages } = await all<{ userId: string; variables: Record<string, string> }>(
      `/admin/bots/${bot.botId}/contacts`,
      'contacts',
      1_000,
    );
    expect(items).toHaveLength(10_001);
    expect(pages).toBe(11);
    expect(new Set(items.map((c) => c.userId)).size).toBe(10_001);
    expect(items.find((c) => c.userId === '15559000000')?.variables).toEqual({
      first_name: 'P0',
      batch: 'two',
    });
    const refused = await json<{ error: { field: string; message: string } }>(
      await fetch(`${stack.gatewayUrl}/admin/bots/${bot.botId}/contacts`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer test-admin-key-0123456789',
          'content-type': 'application/json',
        },
        body: JSON.stringify([...rows, { channel: 'whatsapp', user_id: '1' }]),
      }),
    );
    expect(refused).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringContaining('At most 10000') } },
    });
    // The import may be larger than the public APIs' 1 MiB (here about 4.5 MB).
    const wide = rows.map((r) => ({ ...r, variables: { note: 'n'.repeat(450) } }));
    expect(JSON.stringify(wide).length).toBeGreaterThan(4 * 1024 * 1024);
    expect((await stack.admin('POST', `/admin/bots/${bot.botId}/contacts`, wide)).body).toEqual({
      created: 0,
      updated: 10_000,
    });
    const bad = await stack.admin<{ error: { field: string } }>(
      'POST',
      `/admin/bots/${bot.botId}/contacts`,
      [{ channel: 'fax', user_id: '1' }],
    );
    expect(bad).toMatchObject({ status: 400, body: { error: { field: '[0].channel' } } });
  }, 60_000);

  it('broadcasts: list, get, PATCH validated (settings merge, content and audience checked, null clears)', async () => {
    const created = await stack.admin<{ id: string; hookKey: string }>(
      'POST',
      `/admin/bots/${bot.botId}/broadcasts`,
      {
        name: 'Editable',
        content: { blockId: 'hello' },
        audience: { filters: [{ field: 'batch', criteria: 'Equals', value: 'two' }] },
        settings: { allowGet: false },
      },
    );
    expect(created.status).toBe(201);
    const id = created.body.id;
    const listed = await all<{ id: string }>(
      `/admin/bots/${bot.botId}/broadcasts`,
      'broadcasts',
      1,
    );
    expect(listed.items.map((b) => b.id)).toContain(id);

    const patched = await stack.admin<{
      name: string;
      settings: Record<string, unknown>;
      audience: unknown;
      content: unknown;
    }>('PATCH', `/admin/broadcasts/${id}`, {
      name: 'Edited',
      settings: { singleContact: true, allowedHosts: ['203.0.113.0/24'] },
      audience: { filters: [{ field: 'batch', criteria: 'cointains', value: 'tw' }] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'Edited',
      settings: {
        allowGet: false,
        singleContact: true,
        allowedHosts: ['203.0.113.0/24'],
        enabled: true,
      },
      audience: { filters: [{ field: 'batch', criteria: 'Contains', value: 'tw' }] },
    });
    const badChanges: Array<[Record<string, unknown>, string]> = [
      [{ content: { blockId: 'missing' } }, 'content.blockId'],
      [{ content: { messages: [] } }, 'content.messages'],
      [
        { audience: { filters: [{ field: 'a', criteria: 'Like', value: '1' }] } },
        'audience.filters.0.criteria',
      ],
      [
        { audience: { filters: [{ field: 'a', criteria: 'Equals', value: '1' }], joins: ['AND'] } },
        'audience.joins',
      ],
      [{ settings: { allowedHosts: ['example.com'] } }, 'settings.allowedHosts'],
      [{ settings: { enabled: 'yes' } }, 'settings'],
      [{ recipients: { source: 'custom_api', endpoint: 'ftp://x' } }, 'recipients.endpoint'],
      [{ colour: 'red' }, 'colour'],
    ];
    for (const [change, field] of badChanges) {
      const refused = await stack.admin<{ error: { field: string } }>(
        'PATCH',
        `/admin/broadcasts/${id}`,
        change,
      );
      expect({ change, status: refused.status, field: refused.body.error?.field }).toEqual({
        change,
        status: 400,
        field,
      });
    }
    const cleared = await stack.admin<{ audience: unknown; content: unknown }>(
      'PATCH',
      `/admin/broadcasts/${id}`,
      {
        audience: null,
        content: { messages: [{ text: 'Changed {{first_name}}' }] },
      },
    );
    expect(cleared.body).toMatchObject({
      audience: null,
      content: { messages: [{ text: 'Changed {{first_name}}' }] },
    });
    expect((await stack.admin('GET', `/admin/broadcasts/${id}`)).body).toMatchObject({
      name: 'Edited',
      audience: null,
    });
  });

  it('hook key: regenerating it retires the old URL', async () => {
    const created = await stack.admin<{ id: string; hookKey: string; hookUrl: string }>(
      'POST',
      `/admin/bots/${bot.botId}/broadcasts`,
      {
        name: 'Rekeyed',
        content: { blockId: 'hello' },
        settings: { directMode: true },
      },
    );
    expect(created.body.hookUrl).toMatch(new RegExp(`/hooks/${created.body.hookKey}$`));
    const renewed = await stack.admin<{ hookKey: string }>(
      'POST',
      `/admin/broadcasts/${created.body.id}/hook-key`,
    );
    expect(renewed.body.hookKey).not.toBe(created.body.hookKey);
    const body = JSON.stringify({
      targets: [{ user_id: '15550300002', bot_channel: 'whatsapp', first_name: 'Key' }],
    });
    const post = (key: string) =>
      fetch(`${stack.gatewayUrl}/hooks/${key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    expect((await post(renewed.body.hookKey)).status).toBe(200);
    // The old key may live in a gateway cache for up to 2 s.
    await eventually(
      async () => (await post(created.body.hookKey)).status === 404,
      'the old hook URL to stop working',
      5_000,
    );
  });

  it('run: the execute button runs the saved audience (403 when it is off); deliveries page by status', async () => {
    const off = await stack.admin<{ id: string }>('POST', `/admin/bots/${bot.botId}/broadcasts`, {
      name: 'No button',
      content: { blockId: 'hello' },
      settings: { executeButton: false },
    });
    expect((await stack.admin('POST', `/admin/broadcasts/${off.body.id}/run`)).status).toBe(403);
    const on = await stack.admin<{ id: string }>('POST', `/admin/bots/${bot.botId}/broadcasts`, {
      name: 'Button',
      content: { messages: [{ text: 'Executed for {{first_name}}' }] },
      audience: { filters: [{ field: 'batch', criteria: 'Equals', value: 'two' }] },
    });
    const accepted = await stack.admin<{ success: boolean; run_id: string }>(
      'POST',
      `/admin/broadcasts/${on.body.id}/run`,
    );
    expect(accepted).toMatchObject({
      status: 202,
      body: { success: true, run_id: expect.any(String) },
    });
    const finished = await finishedRun(stack.admin, accepted.body.run_id);
    expect(finished).toMatchObject({ status: 'completed', counts: { targeted: 3, sent: 3 } });
    expect(await sandboxTexts(stack.sandboxUrl, 'whatsapp', '15559000001')).toContain(
      'Executed for P1',
    );

    const sent = await all<{ contactId: string; userId: string; status: string }>(
      `/admin/runs/${accepted.body.run_id}/deliveries?status=sent`,
      'deliveries',
      2,
    );
    expect(sent.pages).toBe(2);
    expect(sent.items.map((d) => d.userId).sort()).toEqual([
      '15559000000',
      '15559000001',
      '15559000002',
    ]);
    const failed = await stack.admin<{ deliveries: unknown[]; nextCursor: null }>(
      'GET',
      `/admin/runs/${accepted.body.run_id}/deliveries?status=failed`,
    );
    expect(failed.body).toEqual({ deliveries: [], nextCursor: null });
    expect(
      (await stack.admin('GET', `/admin/runs/${accepted.body.run_id}/deliveries?status=lost`))
        .status,
    ).toBe(400);
    expect(
      (await stack.admin('GET', `/admin/runs/${accepted.body.run_id}/deliveries?cursor=bogus`))
        .status,
    ).toBe(400);
  });

  it('cancel: a waiting run is cancelled and never sends; a finished one answers 409; an unknown one 404', async () => {
    const later = await stack.admin<{ id: string; hookKey: string }>(
      'POST',
      `/admin/bots/${bot.botId}/broadcasts`,
      {
        name: 'Later',
        content: { messages: [{ text: 'Too late {{first_name}}' }] },
        settings: { directMode: true },
      },
    );
    const accepted = await json<{ run_id: string }>(
      await fetch(`${stack.gatewayUrl}/hooks/${later.body.hookKey}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          targets: [{ user_id: '15550300003', bot_channel: 'whatsapp', first_name: 'Late' }],
          delayminutes: 1,
        }),
      }),
    );
    await eventually(
      async () => (await stack.admin('GET', `/admin/runs/${accepted.body.run_id}`)).status === 200,
      'the run to exist',
    );
    const cancelled = await stack.admin<{ status: string; reason: string }>(
      'POST',
      `/admin/runs/${accepted.body.run_id}/cancel`,
    );
    expect(cancelled).toMatchObject({
      status: 200,
      body: { status: 'cancelled', reason: expect.any(String) },
    });
    const done = await json<{ run_id: string }>(
      await fetch(`${stack.gatewayUrl}/hooks/${later.body.hookKey}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          targets: [{ user_id: '15550300004', bot_channel: 'whatsapp', first_name: 'Now' }],
        }),
      }),
    );
    await finishedRun(stack.admin, done.body.run_id);
    expect((await stack.admin('POST', `/admin/runs/${done.body.run_id}/cancel`)).status).toBe(409);
    expect(
      (await stack.admin('POST', '/admin/runs/0b6f3a44-2f55-4b8e-9a6b-3c1f0f8e2a11/cancel')).status,
    ).toBe(404);
  });

  it('Idempotency-Key: a retried call reaches the person once', async () => {
    const broadcast = await stack.admin<{ hookKey: string }>(
      'POST',
      `/admin/bots/${bot.botId}/broadcasts`,
      { name: 'Once', content: { messages: [{ text: 'Exactly once {{first_name}}' }] } },
    );
    const call = (key = 'order-7-shipped', firstName = 'Once') =>
      fetch(`${stack.gatewayUrl}/hooks/${broadcast.body.hookKey}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${bot.token}`,
          'idempotency-key': key,
        },
        body: JSON.stringify({
          targets: [{ user_id: '15550300005', bot_channel: 'whatsapp', first_name: firstName }],
        }),
      }).then((r) => json<{ run_id: string }>(r));
    const answers = await Promise.all([call(), call(), call()]);
    expect(new Set(answers.map((a) => a.body.run_id)).size).toBe(1);
    await finishedRun(stack.admin, answers[0].body.run_id);
    const again = await call();
    expect(again.body.run_id).toBe(answers[0].body.run_id);
    // A later call under another key, to the same person: once it has reached them, a second
    // run of the retried call would have too.
    const later = await call('order-8-shipped', 'Later');
    expect(later.body.run_id).not.toBe(answers[0].body.run_id);
    await finishedRun(stack.admin, later.body.run_id);
    expect((await sandboxTexts(stack.sandboxUrl, 'whatsapp', '15550300005')).sort()).toEqual([
      'Exactly once Later',
      'Exactly once Once',
    ]);
  });

  it('serves the OpenAPI document at /docs, with every API and an example per payload mode', async () => {
    const ui = await fetch(`${stack.gatewayUrl}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    const { status, body } = await json<{
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          { requestBody?: { content: Record<string, { examples?: Record<string, unknown> }> } }
        >
      >;
    }>(await fetch(`${stack.gatewayUrl}/docs-json`));
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    for (const path of [
      '/hooks/{hookKey}',
      '/bots/{botId}/users/{userId}/send',
      '/v2/{botId}/send',
      '/public/bots/{botId}/send',
      '/v1/api/broadcasts',
      '/admin/bots',
      '/admin/broadcasts/{id}',
      '/admin/bots/{botId}/contacts',
      '/admin/runs/{runId}/deliveries',
      '/admin/runs/{runId}/cancel',
    ]) {
      expect(body.paths).toHaveProperty([path]);
    }
    const examples = (path: string) =>
      Object.keys(body.paths[path].post.requestBody!.content['application/json'].examples ?? {});
    expect(examples('/hooks/{hookKey}')).toEqual(
      expect.arrayContaining([
        'audience',
        'audienceMany',
        'targets',
        'setConversation',
        'delayed',
        'forwarded',
      ]),
    );
    expect(examples('/bots/{botId}/users/{userId}/send').length).toBeGreaterThanOrEqual(3);
    expect(examples('/v2/{botId}/send').length).toBeGreaterThanOrEqual(2);
    expect(examples('/v1/api/broadcasts')).toContain('seed');
  });
});
