// Issue 11: who may call which public route. Two gateway instances share one database: every
// refusal is checked on both, and a revocation made through one instance's admin API holds on
// the very next call to the other (no waiting: the database notifies every instance at commit).
import pg from 'pg';
import { eventually, json, testDatabaseUrl } from '@herald/testing';
import {
  LISTEN_APPLICATION_NAME,
  PgNotifications,
} from '../../apps/gateway/src/lookups/pg-notifications.service.js';
import {
  createBot,
  startGatewayHarness,
  type GatewayHarness,
} from '../integration/gateway/gateway-harness.js';

type Bot = Awaited<ReturnType<typeof createBot>>;
type Call = (base: string, token: string | undefined) => Promise<Response>;

describe('tenancy: the auth matrix over every public route, on two instances', () => {
  let a: GatewayHarness;
  let b: GatewayHarness;
  let bot: Bot;
  let other: Bot;
  let hookKey: string;

  const hook =
    (
      method: 'GET' | 'POST',
      key: () => string,
      headers: Record<string, string> = {},
      query = '',
    ): Call =>
    (base, token) =>
      fetch(`${base}/hooks/${key()}${query}`, {
        method,
        headers: {
          ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
          ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(method === 'POST'
          ? { body: JSON.stringify({ targets: [{ user_id: '+12025550171' }] }) }
          : {}),
      });

  /** Every public route with a bot-token check, as its own API passes the token. */
  const routes = (): Record<string, Call> => ({
    'hook GET': hook('GET', () => hookKey),
    'hook POST': hook('POST', () => hookKey),
    'Chatfuel V1': (base, token) =>
      fetch(
        `${base}/bots/${bot.botId}/users/psid-1/send?block_name=welcome${token !== undefined ? `&bot_token=${token}` : ''}`,
        {
          method: 'POST',
        },
      ),
    'Chatfuel V2': (base, token) =>
      fetch(`${base}/v2/${bot.botId}/send`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ customer_phone: '+15550300002', block_id: 'welcome' }),
      }),
    CSML: (base, token) =>
      fetch(`${base}/v1/api/broadcasts`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token !== undefined ? { 'x-api-key': token } : {}),
        },
        // The key says which bot; naming the bot too makes another bot's key a mismatch (not a call for that bot).
        body: JSON.stringify({
          client: { user_id: '+12025550160', bot_id: bot.botId },
          payload: { content_type: 'flow_trigger', content: { flow_id: 'welcome' } },
        }),
      }),
  });

  const broadcast = async (
    settings: Record<string, unknown> = {},
  ): Promise<{ id: string; hookKey: string }> => {
    const created = await a.admin<{ id: string; hookKey: string }>(
      'POST',
      `/admin/bots/${bot.botId}/broadcasts`,
      {
        name: `b-${Math.random()}`,
        content: { messages: [{ text: 'Hello' }] },
        settings: { requireValidFilter: false, ...settings },
      },
    );
    expect(created.status).toBe(201);
    return created.body;
  };

  beforeAll(async () => {
    a = await startGatewayHarness();
    // B believes X-Forwarded-For from loopback (as from an ingress); A believes nobody.
    b = await startGatewayHarness({ HERALD_TRUSTED_PROXIES: '127.0.0.1' });
    bot = await createBot(a, {
      name: 'Tenant A',
      channels: ['whatsapp', 'messenger'],
      blocks: { welcome: [{ text: 'Hi' }] },
      rateLimitRps: 1000,
    });
    other = await createBot(a, {
      name: 'Tenant B',
      channels: ['whatsapp'],
      blocks: { welcome: [{ text: 'Hi' }] },
    });
    hookKey = (await broadcast()).hookKey;
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it.each(['hook GET', 'hook POST', 'Chatfuel V1', 'Chatfuel V2', 'CSML'])(
    '%s: the bot token works on both instances',
    async (route) => {
      for (const h of [a, b]) expect((await routes()[route](h.url, bot.token)).status).toBe(200);
    },
  );

  it.each(['hook GET', 'hook POST', 'Chatfuel V1', 'Chatfuel V2', 'CSML'])(
    "%s: no token, a wrong token and another bot's token are refused",
    async (route) => {
      for (const h of [a, b]) {
        for (const [label, token] of [
          ['none', undefined],
          ['wrong', 'hbt_not-a-token'],
          ["other bot's", other.token],
        ] as const) {
          const answer = await json<Record<string, unknown>>(await routes()[route](h.url, token));
          // CSML names the bot in the body: another bot's key is a mismatch of client.bot_id (400).
          const status = route === 'CSML' && label === "other bot's" ? 400 : 401;
          expect({ route, label, status: answer.status }).toEqual({ route, label, status });
          expect(JSON.stringify(answer.body)).not.toContain(other.token);
        }
      }
    },
  );

  it('a revoked token is refused on the next call, on the other instance too', async () => {
    const issued = await a.admin<{ id: string; token: string }>(
      'POST',
      `/admin/bots/${bot.botId}/tokens`,
      { name: 'short-lived' },
    );
    expect(issued.status).toBe(201);
    // Warm both instances' caches with the live token.
    for (const h of [a, b])
      for (const call of Object.values(routes()))
        expect((await call(h.url, issued.body.token)).status).toBe(200);

    const revoked = await a.admin('DELETE', `/admin/bots/${bot.botId}/tokens/${issued.body.id}`);
    expect(revoked.status).toBeLessThan(300);
    for (const [route, call] of Object.entries(routes())) {
      expect({ route, status: (await call(b.url, issued.body.token)).status }).toEqual({
        route,
        status: 401,
      });
      expect({ route, status: (await call(a.url, issued.body.token)).status }).toEqual({
        route,
        status: 401,
      });
    }
  });

  it('after the database drops the listening connections, they come back and revocation is still immediate', async () => {
    const db = new pg.Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    try {
      const { rows } = await db.query<{ gone: boolean }>(
        'SELECT pg_terminate_backend(pid) AS gone FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
        [LISTEN_APPLICATION_NAME],
      );
      expect(rows.length).toBeGreaterThanOrEqual(2);
    } finally {
      await db.end();
    }
    // First the loss must be seen (a killed connection reads as listening until its client ends),
    // else "listening again" could be the old, dead connection.
    await eventually(
      async () => !a.app.get(PgNotifications).listening && !b.app.get(PgNotifications).listening,
      'both instances to notice the lost connections',
    );
    await eventually(
      async () => a.app.get(PgNotifications).listening && b.app.get(PgNotifications).listening,
      'both instances to listen again',
    );
    const issued = await a.admin<{ id: string; token: string }>(
      'POST',
      `/admin/bots/${bot.botId}/tokens`,
      { name: 'after-reconnect' },
    );
    const v2 = routes()['Chatfuel V2'];
    expect((await v2(b.url, issued.body.token)).status).toBe(200);
    expect(
      (await a.admin('DELETE', `/admin/bots/${bot.botId}/tokens/${issued.body.id}`)).status,
    ).toBe(204);
    expect((await v2(b.url, issued.body.token)).status).toBe(401);
  });

  it('a regenerated hook key and a disabled broadcast stop the hook on the next call, on the other instance too', async () => {
    const regenerated = await broadcast();
    const disabled = await broadcast();
    for (const key of [regenerated.hookKey, disabled.hookKey])
      expect((await hook('GET', () => key)(b.url, bot.token)).status).toBe(200);

    const fresh = await a.admin<{ hookKey: string }>(
      'POST',
      `/admin/broadcasts/${regenerated.id}/hook-key`,
    );
    expect(fresh.status).toBeLessThan(300);
    expect((await hook('GET', () => regenerated.hookKey)(b.url, bot.token)).status).toBe(404);
    expect((await hook('GET', () => fresh.body.hookKey)(b.url, bot.token)).status).toBe(200);

    expect(
      (await a.admin('PATCH', `/admin/broadcasts/${disabled.id}`, { settings: { enabled: false } }))
        .status,
    ).toBe(200);
    expect((await hook('GET', () => disabled.hookKey)(b.url, bot.token)).status).toBe(404);
    expect((await hook('POST', () => disabled.hookKey)(b.url, bot.token)).status).toBe(404);
  });

  it('direct mode needs no token; a token of another bot does not matter there', async () => {
    const direct = await broadcast({ directMode: true });
    for (const h of [a, b]) {
      expect((await hook('GET', () => direct.hookKey)(h.url, undefined)).status).toBe(200);
      expect((await hook('POST', () => direct.hookKey)(h.url, undefined)).status).toBe(200);
    }
  });

  it('legacy ?token= works only on a broadcast in legacy mode', async () => {
    const legacy = await broadcast({ legacyMode: true });
    for (const h of [a, b]) {
      expect(
        (await hook('GET', () => legacy.hookKey, {}, `?token=${bot.token}`)(h.url, undefined))
          .status,
      ).toBe(200);
      expect(
        (await hook('POST', () => legacy.hookKey, {}, `?token=${bot.token}`)(h.url, undefined))
          .status,
      ).toBe(200);
      expect(
        (await hook('GET', () => legacy.hookKey, {}, `?token=${other.token}`)(h.url, undefined))
          .status,
      ).toBe(401);
      expect(
        (await hook('GET', () => hookKey, {}, `?token=${bot.token}`)(h.url, undefined)).status,
      ).toBe(401);
    }
  });

  it('a host allow-list is not fooled by X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const listed = await broadcast({ allowedHosts: ['203.0.113.7'] });
    const spoofed = { 'x-forwarded-for': '203.0.113.7' };
    // A trusts no proxy: the loopback peer is the caller, whatever the header says.
    const refused = await json<{ error: { code: string } }>(
      await hook('GET', () => listed.hookKey, spoofed)(a.url, bot.token),
    );
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect((await hook('POST', () => listed.hookKey, spoofed)(a.url, bot.token)).status).toBe(403);
    // B trusts loopback as its proxy: the same header now names the caller (the control).
    expect((await hook('GET', () => listed.hookKey, spoofed)(b.url, bot.token)).status).toBe(200);
    expect((await hook('GET', () => listed.hookKey)(b.url, bot.token)).status).toBe(403);
  });
});
