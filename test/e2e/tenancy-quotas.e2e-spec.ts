// Issue 11: per-bot quotas on every public API, counted across gateway instances (two here,
// sharing one database), answered 429 + Retry-After in each API's own error body; and failed
// authentication throttled per caller address before any token or hook key is looked up.
import { randomUUID } from 'node:crypto';
import { eventually } from '@herald/testing';
import { GatewayPeers } from '../../apps/gateway/src/quotas/gateway-peers.service.js';
import {
  createBot,
  startGatewayHarness,
  type GatewayHarness,
} from '../integration/gateway/gateway-harness.js';

type Bot = Awaited<ReturnType<typeof createBot>>;
const RATE = 4; // per bot per second, for every API (V1: the bot's rateLimitRps)

interface Answer {
  status: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

async function answer(response: Promise<Response>): Promise<Answer> {
  const r = await response;
  const text = await r.text();
  return {
    status: r.status,
    retryAfter: r.headers.get('retry-after'),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

describe('tenancy: quotas and the failed-auth throttle, across two instances', () => {
  let a: GatewayHarness;
  let b: GatewayHarness;
  let bot: Bot;
  let directBot: Bot;
  let hookKey: string;
  let directKey: string;

  /** Half of `n` concurrent calls to each instance; every answer. */
  const burst = (n: number, call: (base: string) => Promise<Response>) =>
    Promise.all(Array.from({ length: n }, (_, i) => answer(call(i % 2 === 0 ? a.url : b.url))));
  const from = (ip: string) => ({ 'x-forwarded-for': ip });

  beforeAll(async () => {
    const env = {
      HERALD_QUOTA_HOOK_PER_SECOND: String(RATE),
      HERALD_QUOTA_CHATFUEL_V2_PER_SECOND: String(RATE),
      HERALD_QUOTA_CSML_PER_SECOND: String(RATE),
      HERALD_AUTH_FAILURES_PER_MINUTE: '6',
      // Both believe X-Forwarded-For from loopback, so each test can call from addresses of its own.
      HERALD_TRUSTED_PROXIES: '127.0.0.1',
    };
    [a, b] = await Promise.all([startGatewayHarness(env), startGatewayHarness(env)]);
    bot = await createBot(a, {
      name: 'Quota bot',
      channels: ['whatsapp', 'messenger'],
      blocks: { welcome: [{ text: 'Hi' }] },
      rateLimitRps: RATE,
    });
    directBot = await createBot(a, { name: 'Direct bot', channels: ['whatsapp'] });
    const hook = await a.admin<{ hookKey: string }>('POST', `/admin/bots/${bot.botId}/broadcasts`, {
      name: 'quota',
      content: { messages: [{ text: 'Hello' }] },
      settings: { requireValidFilter: false },
    });
    const direct = await a.admin<{ hookKey: string }>(
      'POST',
      `/admin/bots/${directBot.botId}/broadcasts`,
      {
        name: 'direct',
        content: { messages: [{ text: 'Hello' }] },
        settings: { requireValidFilter: false, directMode: true },
      },
    );
    hookKey = hook.body.hookKey;
    directKey = direct.body.hookKey;
    // Each instance enforces its share once it knows the other is there.
    await eventually(
      async () => a.app.get(GatewayPeers).count() === 2 && b.app.get(GatewayPeers).count() === 2,
      'both instances to see each other',
    );
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const heraldLimited = {
    status: 429,
    retryAfter: expect.stringMatching(/^[1-9]\d*$/),
    body: {
      error: {
        code: 'RATE_LIMITED',
        message: expect.stringContaining(`${RATE} requests per second`),
        fix: expect.any(String),
        correlationId: expect.any(String),
      },
    },
  };
  const chatfuelLimited = {
    status: 429,
    retryAfter: expect.stringMatching(/^[1-9]\d*$/),
    body: { success: false, result: expect.stringContaining(`${RATE} requests per second`) },
  };

  it('hooks: GET and POST of a bot count together, across both instances', async () => {
    let i = 0;
    const answers = await burst(4 * RATE, (base) =>
      i++ % 4 < 2
        ? fetch(`${base}/hooks/${hookKey}`, { headers: { authorization: `Bearer ${bot.token}` } })
        : fetch(`${base}/hooks/${hookKey}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${bot.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ targets: [{ user_id: '+12025550170' }] }),
          }),
    );
    expect(answers.filter((x) => x.status === 200)).toHaveLength(RATE);
    for (const refused of answers.filter((x) => x.status !== 200))
      expect(refused).toEqual(heraldLimited);
  });

  it('hooks in direct mode (no token) have the quota too', async () => {
    const answers = await burst(4 * RATE, (base) => fetch(`${base}/hooks/${directKey}`));
    expect(answers.filter((x) => x.status === 200)).toHaveLength(RATE);
    for (const refused of answers.filter((x) => x.status !== 200))
      expect(refused).toEqual(heraldLimited);
  });

  it("Chatfuel V1: the bot's rateLimitRps across instances, in the seed's {success, result} body", async () => {
    const answers = await burst(4 * RATE, (base) =>
      fetch(
        `${base}/bots/${bot.botId}/users/psid-${randomUUID()}/send?bot_token=${bot.token}&block_name=welcome`,
        { method: 'POST' },
      ),
    );
    expect(answers.filter((x) => x.status === 200)).toHaveLength(RATE);
    for (const refused of answers.filter((x) => x.status !== 200))
      expect(refused).toEqual(chatfuelLimited);
  });

  it('Chatfuel V2: in the {success, result} body', async () => {
    const answers = await burst(4 * RATE, (base) =>
      fetch(`${base}/v2/${bot.botId}/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bot.token}` },
        body: JSON.stringify({ customer_phone: '+12025550150', block_id: 'welcome' }),
      }),
    );
    expect(answers.filter((x) => x.status === 200)).toHaveLength(RATE);
    for (const refused of answers.filter((x) => x.status !== 200))
      expect(refused).toEqual(chatfuelLimited);
  });

  it("CSML: in Herald's error body", async () => {
    const answers = await burst(4 * RATE, (base) =>
      fetch(`${base}/v1/api/broadcasts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': bot.token },
        body: JSON.stringify({
          client: { user_id: '+12025550161' },
          payload: { content_type: 'flow_trigger', content: { flow_id: 'welcome' } },
        }),
      }),
    );
    expect(answers.filter((x) => x.status === 200)).toHaveLength(RATE);
    for (const refused of answers.filter((x) => x.status !== 200))
      expect(refused).toEqual(heraldLimited);
  });

  it('failed authentication is throttled per caller address, across instances, before any lookup', async () => {
    const guess = (base: string, ip: string, token = `hbt_guess_${randomUUID()}`) =>
      answer(
        fetch(`${base}/v2/${bot.botId}/send`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            ...from(ip),
          },
          body: '{}',
        }),
      );
    const guesser = '198.51.100.66';
    // Six failures in all are allowed per minute: three on each instance.
    const first = [
      await guess(a.url, guesser),
      await guess(a.url, guesser),
      await guess(a.url, guesser),
    ];
    expect(first.map((x) => x.status)).toEqual([401, 401, 401]);
    expect(await guess(a.url, guesser)).toEqual({
      ...chatfuelLimited,
      body: { success: false, result: expect.stringContaining('Too many failed authentications') },
    });
    // While blocked, even the right token from that address is refused: nothing is looked up.
    expect((await guess(a.url, guesser, bot.token)).status).toBe(429);
    const second = [
      await guess(b.url, guesser),
      await guess(b.url, guesser),
      await guess(b.url, guesser),
      await guess(b.url, guesser),
    ];
    expect(second.map((x) => x.status)).toEqual([401, 401, 401, 429]);
    // Another address is not affected: its right token passes (then the empty body is the problem).
    const other = await guess(a.url, '198.51.100.67', bot.token);
    expect(other.status).not.toBe(401);
    expect(JSON.stringify(other.body)).not.toContain('failed authentications');
  });

  it('guessing hook keys is throttled the same way', async () => {
    const guesser = '198.51.100.77';
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (
          await answer(
            fetch(`${a.url}/hooks/nokey${i}${randomUUID().slice(0, 8)}`, {
              headers: from(guesser),
            }),
          )
        ).status,
      );
    expect(statuses).toEqual([404, 404, 404, 429]);
  });
});
