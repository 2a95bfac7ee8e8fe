// The console's server side through the whole pipeline: sign-in with an argon2-hashed password
// and an HttpOnly SameSite=Strict cookie, CSRF on every change, operator accounts created by an
// admin, and every admin route refusing what the role or the bot scope does not allow. Also the
// lists the console added: runs newest first per bot and per broadcast, and a run's skips with
// their reasons.
import { ADMIN_KEY, eventually, json, startStack, type Stack } from '@herald/testing';
import { createBot, finishedRun } from '../integration/gateway/gateway-harness.js';
import { seedLargeRun } from '../utils/console.js';

const ADMIN_EMAIL = 'root@herald.test';
// The test database outlives a run: accounts are unique per run.
const TAG = Date.now().toString(36).slice(-5);
const ADMIN_PASSWORD = 'correct horse battery staple';

interface Session {
  cookie: string;
  csrf: string;
}

describe('console API: sessions, roles and bot scope', () => {
  let stack: Stack;
  let bot: Awaited<ReturnType<typeof createBot>>;
  let otherBot: Awaited<ReturnType<typeof createBot>>;
  let visible: { id: string };
  let hidden: { id: string };

  async function signIn(email: string, password: string): Promise<Session> {
    const response = await fetch(`${stack.gatewayUrl}/console/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const body = (await response.json()) as { csrfToken: string };
    expect(response.status).toBe(200);
    const cookie = response.headers.get('set-cookie')!.split(';')[0];
    return { cookie, csrf: body.csrfToken };
  }

  async function as<T = Record<string, unknown>>(
    session: Session,
    method: string,
    path: string,
    body?: unknown,
    csrf = true,
  ) {
    return json<T>(
      await fetch(`${stack.gatewayUrl}${path}`, {
        method,
        headers: {
          cookie: session.cookie,
          ...(csrf ? { 'x-csrf-token': session.csrf } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      }),
    );
  }

  async function createOperator(email: string, role: string, botIds: string[]): Promise<Session> {
    const created = await stack.admin('POST', '/admin/operators', {
      email,
      password: 'a long enough password',
      role,
      botIds,
    });
    expect(created.status).toBe(201);
    return signIn(email, 'a long enough password');
  }

  beforeAll(async () => {
    stack = await startStack(undefined, {
      HERALD_CONSOLE_ADMIN_EMAIL: ADMIN_EMAIL,
      HERALD_CONSOLE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    bot = await createBot(stack, {
      name: 'Console bot',
      channels: ['whatsapp'],
      blocks: { hello: [{ text: 'Hello' }] },
    });
    otherBot = await createBot(stack, { name: 'Someone else', channels: ['whatsapp'] });
    const content = { messages: [{ text: 'Hi {{first_name}}' }] };
    visible = (
      await stack.admin<{ id: string }>('POST', `/admin/bots/${bot.botId}/broadcasts`, {
        name: 'Visible',
        content,
        settings: { visibleToMobileOperators: true },
      })
    ).body;
    hidden = (
      await stack.admin<{ id: string }>('POST', `/admin/bots/${bot.botId}/broadcasts`, {
        name: 'Hidden',
        content,
      })
    ).body;
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('signs the seeded admin in with an HttpOnly, SameSite=Strict cookie; a wrong password is a 401 that echoes nothing', async () => {
    const wrong = await fetch(`${stack.gatewayUrl}/console/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: 'not the password' }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await wrong.text()).not.toContain('not the password');
    const unknown = await json<{ error: { message: string } }>(
      await fetch(`${stack.gatewayUrl}/console/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@herald.test', password: 'whatever' }),
      }),
    );
    expect(unknown.status).toBe(401);
    const bad = await json<{ error: { field: string } }>(
      await fetch(`${stack.gatewayUrl}/console/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"email": 3}',
      }),
    );
    expect(bad).toMatchObject({ status: 400, body: { error: { field: 'email' } } });
    // A cross-site form post cannot sign anyone in.
    const form = await fetch(`${stack.gatewayUrl}/console/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `email=${encodeURIComponent(ADMIN_EMAIL)}&password=${encodeURIComponent(ADMIN_PASSWORD)}`,
    });
    expect(form.status).toBeGreaterThanOrEqual(400);
    expect(form.status).toBeLessThan(500);
    expect(form.headers.get('set-cookie')).toBeNull();

    const response = await fetch(`${stack.gatewayUrl}/console/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL.toUpperCase(), password: ADMIN_PASSWORD }),
    });
    expect(response.status).toBe(200);
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(
      /^herald_console=[A-Za-z0-9_-]{40,}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
    );
    const session = {
      cookie: cookie.split(';')[0],
      csrf: ((await response.json()) as { csrfToken: string }).csrfToken,
    };
    const me = await as<{ operator: { email: string; role: string } }>(
      session,
      'GET',
      '/console/api/session',
    );
    expect(me.body.operator).toMatchObject({ email: ADMIN_EMAIL, role: 'admin' });
    expect((await as(session, 'GET', '/admin/bots')).status).toBe(200);
    // Sign-out ends the session on the server, not only in the browser.
    expect((await as(session, 'DELETE', '/console/api/session')).status).toBe(204);
    expect((await as(session, 'GET', '/admin/bots')).status).toBe(401);
  });

  it('admins create operator accounts; bad input is a 400 naming the field; an email is taken once', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { email: 'x', password: 'a long enough password', role: 'operator', botIds: [bot.botId] },
        'email',
      ],
      [{ email: 'a@b.test', password: 'short', role: 'operator', botIds: [bot.botId] }, 'password'],
      [
        {
          email: 'a@b.test',
          password: 'a long enough password',
          role: 'boss',
          botIds: [bot.botId],
        },
        'role',
      ],
      [
        { email: 'a@b.test', password: 'a long enough password', role: 'operator', botIds: [] },
        'botIds',
      ],
      [
        {
          email: 'a@b.test',
          password: 'a long enough password',
          role: 'operator',
          botIds: ['0b6f3a44-2f55-4b8e-9a6b-3c1f0f8e2a11'],
        },
        'botIds',
      ],
      [
        {
          email: 'a@b.test',
          password: 'a long enough password',
          role: 'operator',
          botIds: [bot.botId],
          extra: 1,
        },
        'extra',
      ],
    ];
    for (const [body, field] of cases) {
      const response = await stack.admin<{ error: { field: string } }>(
        'POST',
        '/admin/operators',
        body,
      );
      expect({ field, status: response.status, got: response.body.error?.field }).toEqual({
        field,
        status: 400,
        got: field,
      });
    }
    const created = await stack.admin<Record<string, unknown>>('POST', '/admin/operators', {
      email: `Ops-${TAG}@Herald.test`,
      password: 'a long enough password',
      role: 'operator',
      botIds: [bot.botId],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      email: `ops-${TAG}@herald.test`,
      role: 'operator',
      botIds: [bot.botId],
    });
    expect(JSON.stringify(created.body)).not.toContain('password');
    expect(
      (
        await stack.admin('POST', '/admin/operators', {
          email: `ops-${TAG}@herald.test`,
          password: 'another long password',
          role: 'admin',
        })
      ).status,
    ).toBe(409);
    const listed = await stack.admin<{ operators: Array<{ email: string }> }>(
      'GET',
      '/admin/operators?limit=1000',
    );
    expect(listed.body.operators.map((o) => o.email)).toEqual(
      expect.arrayContaining([ADMIN_EMAIL, `ops-${TAG}@herald.test`]),
    );
  });

  it('admins change an operator (password, role, bots) or remove one; their sessions end', async () => {
    const email = `change-${TAG}@herald.test`;
    const created = await stack.admin<{ id: string }>('POST', '/admin/operators', {
      email,
      password: 'a long enough password',
      role: 'operator',
      botIds: [bot.botId],
    });
    const session = await signIn(email, 'a long enough password');
    expect((await as(session, 'GET', `/admin/bots/${bot.botId}/broadcasts`)).status).toBe(200);
    // New bots only: the session goes on, scoped to the new bot.
    const moved = await stack.admin<{ botIds: string[] }>(
      'PATCH',
      `/admin/operators/${created.body.id}`,
      { botIds: [otherBot.botId] },
    );
    expect(moved).toMatchObject({ status: 200, body: { botIds: [otherBot.botId] } });
    expect((await as(session, 'GET', `/admin/bots/${bot.botId}/broadcasts`)).status).toBe(403);
    expect((await as(session, 'GET', `/admin/bots/${otherBot.botId}/broadcasts`)).status).toBe(200);
    // A new password ends the session; the new password signs in.
    expect(
      (
        await stack.admin('PATCH', `/admin/operators/${created.body.id}`, {
          password: 'a brand new password',
        })
      ).status,
    ).toBe(200);
    expect((await as(session, 'GET', `/admin/bots/${otherBot.botId}/broadcasts`)).status).toBe(401);
    const again = await signIn(email, 'a brand new password');
    for (const [body, field] of [
      [{}, 'body'],
      [{ role: 'boss' }, 'role'],
      [{ password: 'short' }, 'password'],
      [{ botIds: [] }, 'botIds'],
      [{ botIds: ['0b6f3a44-2f55-4b8e-9a6b-3c1f0f8e2a11'] }, 'botIds'],
      [{ email: 'x@y.z' }, 'email'],
    ] as const) {
      const response = await stack.admin<{ error: { field: string } }>(
        'PATCH',
        `/admin/operators/${created.body.id}`,
        body,
      );
      expect({ field, status: response.status, got: response.body.error?.field }).toEqual({
        field,
        status: 400,
        got: field,
      });
    }
    expect(
      (
        await stack.admin('PATCH', '/admin/operators/0b6f3a44-2f55-4b8e-9a6b-3c1f0f8e2a11', {
          role: 'admin',
        })
      ).status,
    ).toBe(404);
    // Operators may not change accounts, not even their own.
    expect(
      (await as(again, 'PATCH', `/admin/operators/${created.body.id}`, { role: 'admin' })).status,
    ).toBe(403);
    expect((await stack.admin('DELETE', `/admin/operators/${created.body.id}`)).status).toBe(204);
    expect((await as(again, 'GET', `/admin/bots/${otherBot.botId}/broadcasts`)).status).toBe(401);
    expect((await stack.admin('DELETE', `/admin/operators/${created.body.id}`)).status).toBe(404);
  });

  it('an operator works on their bots only, and every change needs the CSRF token', async () => {
    const operator = await createOperator(`bots-${TAG}@herald.test`, 'operator', [bot.botId]);
    expect((await as(operator, 'GET', `/admin/bots/${bot.botId}/broadcasts`)).status).toBe(200);
    expect((await as(operator, 'GET', `/admin/broadcasts/${hidden.id}`)).status).toBe(200);
    expect((await as(operator, 'GET', `/admin/bots/${bot.botId}/runs`)).status).toBe(200);
    expect((await as(operator, 'GET', `/admin/bots/${bot.botId}/settings`)).status).toBe(200);
    expect((await as(operator, 'GET', `/admin/bots/${otherBot.botId}/settings`)).status).toBe(403);
    // Another bot, its broadcasts, and admin-only routes are refused.
    for (const [method, path] of [
      ['GET', `/admin/bots/${otherBot.botId}/broadcasts`],
      ['GET', `/admin/bots/${otherBot.botId}/tokens`],
      ['GET', `/admin/bots/${otherBot.botId}/runs`],
      ['GET', '/admin/bots'],
      ['POST', '/admin/bots'],
      ['GET', '/admin/operators'],
      ['POST', '/admin/operators'],
      ['PATCH', `/admin/bots/${bot.botId}`],
    ]) {
      const response = await as<{ error: { code: string } }>(
        operator,
        method,
        path,
        method === 'GET' ? undefined : {},
      );
      expect({ method, path, status: response.status, code: response.body.error?.code }).toEqual({
        method,
        path,
        status: 403,
        code: 'FORBIDDEN',
      });
    }
    const foreign = await stack.admin<{ id: string }>(
      'POST',
      `/admin/bots/${otherBot.botId}/broadcasts`,
      { name: 'Theirs', content: { messages: [{ text: 'x' }] } },
    );
    expect(
      (await as(operator, 'PATCH', `/admin/broadcasts/${foreign.body.id}`, { name: 'Mine now' }))
        .status,
    ).toBe(403);
    expect((await as(operator, 'POST', `/admin/broadcasts/${foreign.body.id}/run`)).status).toBe(
      403,
    );
    // CSRF: a change without the header, or with another session's token, is refused.
    const noCsrf = await as<{ error: { message: string } }>(
      operator,
      'POST',
      `/admin/bots/${bot.botId}/broadcasts`,
      { name: 'N', content: { messages: [{ text: 'x' }] } },
      false,
    );
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.message).toContain('x-csrf-token');
    const made = await as(operator, 'POST', `/admin/bots/${bot.botId}/broadcasts`, {
      name: 'Made by an operator',
      content: { messages: [{ text: 'x' }] },
    });
    expect(made.status).toBe(201);
    // A bad id is a 400 before any scope lookup; the admin key still works for programs.
    expect((await as(operator, 'GET', '/admin/bots/not-a-uuid/broadcasts')).status).toBe(400);
    expect((await stack.admin('GET', `/admin/bots/${otherBot.botId}/broadcasts`)).status).toBe(200);
  });

  it('every admin route in the OpenAPI document refuses an operator of another bot, and a mobile operator', async () => {
    const theirs = await stack.admin<{ id: string }>(
      'POST',
      `/admin/bots/${otherBot.botId}/broadcasts`,
      {
        name: 'Theirs, visible',
        content: { messages: [{ text: 'x' }] },
        settings: { visibleToMobileOperators: true },
      },
    );
    const theirRun = await stack.admin<{ run_id: string }>(
      'POST',
      `/admin/broadcasts/${theirs.body.id}/run`,
    );
    await eventually(
      async () => (await stack.admin('GET', `/admin/runs/${theirRun.body.run_id}`)).status === 200,
      'their run to be recorded',
    );
    const document = await json<{ paths: Record<string, Record<string, unknown>> }>(
      await fetch(`${stack.gatewayUrl}/docs-json`),
    );
    const ids: Record<string, string> = {
      botId: otherBot.botId,
      id: theirs.body.id,
      runId: theirRun.body.run_id,
    };
    const routes = Object.entries(document.body.paths)
      .filter(([path]) => path.startsWith('/admin/'))
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => [method.toUpperCase(), path] as const),
      )
      .filter(([method]) => ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].includes(method));
    expect(routes.length).toBeGreaterThan(25);
    const operator = await createOperator(`scope-${TAG}@herald.test`, 'operator', [bot.botId]);
    const mobile = await createOperator(`scope-phone-${TAG}@herald.test`, 'mobile_operator', [
      bot.botId,
    ]);
    // Not tied to a bot: any operator may check an endpoint or list their own broadcasts.
    const open = new Set(['POST /admin/custom-api/check', 'GET /admin/console/broadcasts']);
    for (const [method, path] of routes) {
      const url = path.replace(
        /\{(\w+)\}/g,
        (_m, name: string) => ids[name] ?? '0b6f3a44-2f55-4b8e-9a6b-3c1f0f8e2a11',
      );
      for (const [who, session] of [
        ['operator', operator],
        ['mobile operator', mobile],
      ] as const) {
        if (
          open.has(`${method} ${path}`) &&
          !(who === 'mobile operator' && path.includes('custom-api'))
        )
          continue;
        const response = await as(
          session,
          method,
          url,
          method === 'GET' || method === 'DELETE' ? undefined : {},
        );
        expect({ who, method, path, status: response.status }).toEqual({
          who,
          method,
          path,
          status: 403,
        });
      }
    }
  });

  it('a mobile operator sees only visible broadcasts, may execute them and watch their runs, nothing else', async () => {
    const mobile = await createOperator(`phone-${TAG}@herald.test`, 'mobile_operator', [bot.botId]);
    const list = await as<{ broadcasts: Array<{ id: string; name: string }> }>(
      mobile,
      'GET',
      '/admin/console/broadcasts',
    );
    expect(list.body.broadcasts.map((b) => b.name)).toEqual(['Visible']);
    const run = await as<{ run_id: string }>(mobile, 'POST', `/admin/broadcasts/${visible.id}/run`);
    expect(run.status).toBe(202);
    await eventually(
      async () => (await as(mobile, 'GET', `/admin/runs/${run.body.run_id}`)).status === 200,
      'the run to be readable',
    );
    expect((await as(mobile, 'GET', `/admin/broadcasts/${visible.id}/runs`)).status).toBe(200);
    expect((await as(mobile, 'GET', `/admin/runs/${run.body.run_id}/deliveries`)).status).toBe(200);
    expect((await as(mobile, 'GET', `/admin/runs/${run.body.run_id}/skips`)).status).toBe(200);
    expect((await as(mobile, 'GET', `/admin/runs/${run.body.run_id}/held`)).status).toBe(200);
    for (const [method, path] of [
      ['POST', `/admin/broadcasts/${hidden.id}/run`],
      ['GET', `/admin/broadcasts/${hidden.id}/runs`],
      ['GET', `/admin/broadcasts/${visible.id}`],
      ['PATCH', `/admin/broadcasts/${visible.id}`],
      ['GET', `/admin/bots/${bot.botId}/broadcasts`],
      ['GET', `/admin/bots/${bot.botId}/contacts`],
      ['GET', `/admin/bots/${bot.botId}/settings`],
      ['GET', '/admin/dead-letters'],
      ['POST', `/admin/runs/${run.body.run_id}/cancel`],
      ['POST', '/admin/custom-api/check'],
    ]) {
      const response = await as(mobile, method, path, method === 'GET' ? undefined : {});
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
    }
    // A run of a hidden broadcast is not theirs to watch.
    const hiddenRun = await stack.admin<{ run_id: string }>(
      'POST',
      `/admin/broadcasts/${hidden.id}/run`,
    );
    await eventually(
      async () => (await stack.admin('GET', `/admin/runs/${hiddenRun.body.run_id}`)).status === 200,
      'the hidden run',
    );
    expect((await as(mobile, 'GET', `/admin/runs/${hiddenRun.body.run_id}`)).status).toBe(403);
  });

  it('lists runs newest first in keyset pages, per bot and per broadcast', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        (await stack.admin<{ run_id: string }>('POST', `/admin/broadcasts/${hidden.id}/run`)).body
          .run_id,
      );
    await eventually(
      async () => (await stack.admin('GET', `/admin/runs/${ids[2]}`)).status === 200,
      'the runs to be recorded',
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: {
        status: number;
        body: { runs: Array<{ id: string; createdAt: string }>; nextCursor: string | null };
      } = await stack.admin(
        'GET',
        `/admin/broadcasts/${hidden.id}/runs?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.runs.map((r) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(ids));
    const botRuns = await stack.admin<{ runs: Array<{ createdAt: string }> }>(
      'GET',
      `/admin/bots/${bot.botId}/runs?limit=1000`,
    );
    const times = botRuns.body.runs.map((r) => Date.parse(r.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect((await stack.admin('GET', `/admin/bots/${bot.botId}/runs?cursor=nope!`)).status).toBe(
      400,
    );
    expect(
      (await stack.admin('GET', '/admin/broadcasts/0b6f3a44-2f55-4b8e-9a6b-3c1f0f8e2a11/runs'))
        .status,
    ).toBe(404);
  });

  it("records each skipped person with the reason, listed in the run's skips", async () => {
    // A CSML broadcast to a user the bot does not know: not an error, a skip with the reason.
    const call = await json<{ request_id: string }>(
      await fetch(`${stack.gatewayUrl}/v1/api/broadcasts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': bot.token },
        body: JSON.stringify({
          payload: { content_type: 'flow_trigger', content: { flow_id: 'hello' } },
          client: { user_id: '15550401001' },
        }),
      }),
    );
    expect(call.status).toBe(200);
    const runId = call.body.request_id;
    const run = await finishedRun(stack.admin, runId);
    expect(run.counts).toMatchObject({ skipped: 1 });
    const skips = await eventually(async () => {
      const page = await stack.admin<{ skips: Array<{ reason: string; recipient: string }> }>(
        'GET',
        `/admin/runs/${runId}/skips`,
      );
      return page.body.skips.length === 1 ? page.body.skips : undefined;
    }, 'the skip to be listed');
    expect(skips[0].reason).toContain('15550401001');
    expect(
      (await stack.admin('GET', '/admin/runs/0b6f3a44-2f55-4b8e-9a6b-3c1f0f8e2a11/skips')).status,
    ).toBe(404);
    // The admin key is what the stack uses: still accepted everywhere.
    expect(ADMIN_KEY.length).toBeGreaterThan(16);
  });
});

describe('console API: audience preview and contact search', () => {
  let stack: Stack;
  let bot: Awaited<ReturnType<typeof createBot>>;

  beforeAll(async () => {
    stack = await startStack(['gateway']);
    bot = await createBot(stack, { name: 'Preview bot' });
    const contacts = [
      { channel: 'sms', user_id: '+15550500001', variables: { color: 'red', first_name: 'Ada' } },
      { channel: 'sms', user_id: '+15550500002', variables: { color: 'blue' } },
      { channel: 'sms', user_id: '+15550500003', variables: { color: 'red', vip: 'yes' } },
    ];
    expect((await stack.admin('POST', `/admin/bots/${bot.botId}/contacts`, contacts)).status).toBe(
      200,
    );
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const preview = (body: unknown) =>
    stack.admin<{
      count: number;
      capped: boolean;
      sample: Array<{ userId: string }>;
      error?: { field: string };
    }>('POST', `/admin/bots/${bot.botId}/audience/preview`, body);

  it('counts who a saved audience reaches, with AND/OR, and a sample; nothing is sent', async () => {
    expect((await preview({ audience: null })).body).toMatchObject({ count: 3, capped: false });
    const red = await preview({
      audience: { filters: [{ field: 'color', criteria: 'Equals', value: 'red' }] },
    });
    expect(red.body.count).toBe(2);
    expect(red.body.sample.map((s) => s.userId).sort()).toEqual(['+15550500001', '+15550500003']);
    const redAndVip = await preview({
      audience: {
        filters: [
          { field: 'color', criteria: 'Equals', value: 'red' },
          { field: 'vip', criteria: 'HasValue', value: '' },
        ],
        joins: ['AND'],
      },
    });
    expect(redAndVip.body.count).toBe(1);
    const blueOrVip = await preview({
      audience: {
        filters: [
          { field: 'color', criteria: 'Equals', value: 'blue' },
          { field: 'vip', criteria: 'HasValue', value: '' },
        ],
        joins: ['OR'],
      },
    });
    expect(blueOrVip.body.count).toBe(2);
    const runs = await stack.admin<{ runs: unknown[] }>('GET', `/admin/bots/${bot.botId}/runs`);
    expect(runs.body.runs).toEqual([]);
  });

  it('refuses a bad audience with a 400 naming the field, an unknown bot with a 404', async () => {
    const bad = await preview({
      audience: { filters: [{ field: 'color', criteria: 'Bigger', value: 'x' }] },
    });
    expect(bad.status).toBe(400);
    expect((await preview({ audience: { filters: [] } })).status).toBe(400);
    expect((await preview({ filters: [] })).status).toBe(400);
    expect((await preview([1])).status).toBe(400);
    const unknown = await stack.admin(
      'POST',
      '/admin/bots/0b6f3a44-2f55-4b8e-9a6b-3c1f0f8e2a11/audience/preview',
      { audience: null },
    );
    expect(unknown.status).toBe(404);
  });

  it('finds contacts by user id, phone or a variable, and lists the runs that reached one', async () => {
    const search = (q: string) =>
      stack.admin<{
        contacts: Array<{ id: string; userId: string; variables: Record<string, string> }>;
        nextCursor: string | null;
      }>('GET', `/admin/bots/${bot.botId}/contacts/search?q=${encodeURIComponent(q)}`);
    const byUser = await search('+15550500002');
    expect(byUser.body.contacts.map((c) => c.userId)).toEqual(['+15550500002']);
    const byVariable = await search('color=red');
    expect(byVariable.body.contacts.map((c) => c.userId).sort()).toEqual([
      '+15550500001',
      '+15550500003',
    ]);
    const byId = await search(byUser.body.contacts[0].id);
    expect(byId.body.contacts).toHaveLength(1);
    expect((await search('nobody')).body.contacts).toEqual([]);
    expect((await stack.admin('GET', `/admin/bots/${bot.botId}/contacts/search`)).status).toBe(400);
    const runs = await stack.admin<{ runs: unknown[] }>(
      'GET',
      `/admin/bots/${bot.botId}/contacts/${byUser.body.contacts[0].id}/runs`,
    );
    expect(runs).toEqual({ status: 200, body: { runs: [] } });
    expect((await stack.admin('GET', `/admin/bots/${bot.botId}/contacts/nope/runs`)).status).toBe(
      400,
    );
  });

  it('opens a 100,000-recipient run fast: the run, a page of recipients by status, a page of skips (keyset, no scan)', async () => {
    const { runId, remove } = await seedLargeRun({
      botId: bot.botId,
      deliveries: 100_000,
      skips: 50_000,
    });
    const timed = async (path: string) => {
      await stack.admin('GET', path); // warm: the first call also plans the statement
      const started = performance.now();
      const response = await stack.admin<Record<string, unknown>>('GET', path);
      return {
        path,
        status: response.status,
        fast: performance.now() - started < 1000,
        body: response.body,
      };
    };
    for (const path of [
      `/admin/runs/${runId}`,
      `/admin/runs/${runId}/deliveries?limit=50`,
      `/admin/runs/${runId}/deliveries?status=failed&limit=50`,
      `/admin/runs/${runId}/skips?limit=50`,
      `/admin/bots/${bot.botId}/runs?limit=50`,
    ]) {
      const { body, ...outcome } = await timed(path);
      expect(outcome).toEqual({ path, status: 200, fast: true });
      if (path.includes('/deliveries') || path.includes('/skips'))
        expect(body.nextCursor).toEqual(expect.any(String));
    }
    await remove();
  });
});

describe('console API: password guessing', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(['gateway'], {
      HERALD_AUTH_FAILURES_PER_MINUTE: '3',
      HERALD_CONSOLE_ADMIN_EMAIL: ADMIN_EMAIL,
      HERALD_CONSOLE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 429 with Retry-After once an address failed too often, even with the right password', async () => {
    const attempt = (password: string) =>
      fetch(`${stack.gatewayUrl}/console/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: ADMIN_EMAIL, password }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await attempt(`guess ${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const right = await attempt(ADMIN_PASSWORD);
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
