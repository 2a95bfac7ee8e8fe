// Idempotency-Key on the public POSTs, on the real gateway and PostgreSQL: the first answer comes
// back for the same key and bot within 24 h and nothing new is published, also when the duplicates
// race, when they reach another gateway instance, and after the first request's process died.
import { DataSource } from 'typeorm';
import { Topics } from '@herald/contracts';
import { json } from '@herald/testing';
import { createBot, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

interface Accepted {
  success: boolean;
  run_id: string;
  scheduled_for: string;
}

describe('Idempotency-Key (gateway, real Kafka and PostgreSQL)', () => {
  let h: GatewayHarness;
  let second: GatewayHarness;
  let bot: Awaited<ReturnType<typeof createBot>>;
  let otherBot: Awaited<ReturnType<typeof createBot>>;
  let hookKey: string;
  let otherHookKey: string;
  let db: DataSource;
  const targets = { targets: [{ user_id: '15551234567', bot_channel: 'whatsapp' }] };
  const unique = (label: string) => `${label}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

  const hook = (
    base: string,
    key: string,
    idempotencyKey: string | undefined,
    body: unknown = targets,
    token = bot.token,
  ) =>
    fetch(`${base}/hooks/${key}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        ...(idempotencyKey !== undefined ? { 'idempotency-key': idempotencyKey } : {}),
      },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    [h, second] = await Promise.all([startGatewayHarness(), startGatewayHarness()]);
    bot = await createBot(h, { channels: ['whatsapp'], blocks: { welcome: [{ text: 'Hi' }] } });
    otherBot = await createBot(h, { name: 'Other', channels: ['whatsapp'] });
    hookKey = (
      await h.admin<{ hookKey: string }>('POST', `/admin/bots/${bot.botId}/broadcasts`, {
        name: 'b',
        content: { blockId: 'welcome' },
      })
    ).body.hookKey;
    otherHookKey = (
      await h.admin<{ hookKey: string }>('POST', `/admin/bots/${otherBot.botId}/broadcasts`, {
        name: 'b',
        content: { messages: [{ text: 'x' }] },
      })
    ).body.hookKey;
    db = h.app.get(DataSource);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([h?.stop(), second?.stop()]);
  });

  const published = async (harness: GatewayHarness) =>
    harness.probe.endOffset(Topics.BroadcastRequested);

  it('returns the first answer for the same key, marked as replayed, and publishes once', async () => {
    const key = unique('same');
    const before = await published(h);
    const first = await hook(h.url, hookKey, key);
    const firstBody = (await first.json()) as Accepted;
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await hook(h.url, hookKey, key, { targets: [{ user_id: 'someone-else' }] });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(firstBody);
    expect(await published(h)).toBe(before + 1);
  });

  it('keeps keys per bot: the same key for another bot starts its own run', async () => {
    const key = unique('per-bot');
    const a = await json<Accepted>(await hook(h.url, hookKey, key));
    const b = await json<Accepted>(await hook(h.url, otherHookKey, key, targets, otherBot.token));
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.run_id).not.toBe(b.body.run_id);
  });

  it('lets concurrent duplicates through once: one run, every caller gets its answer', async () => {
    const key = unique('race');
    const before = await published(h);
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => hook(h.url, hookKey, key).then((r) => json<Accepted>(r))),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    expect(new Set(answers.map((a) => a.body.run_id)).size).toBe(1);
    expect(await published(h)).toBe(before + 1);
  });

  it('holds across instances: another gateway (sharing the database) replays the answer and publishes nothing', async () => {
    const key = unique('instances');
    const first = await json<Accepted>(await hook(h.url, hookKey, key));
    const beforeSecond = await published(second);
    const elsewhere = await fetch(`${second.url}/hooks/${hookKey}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${bot.token}`,
        'idempotency-key': key,
      },
      body: JSON.stringify(targets),
    });
    expect(elsewhere.headers.get('idempotent-replayed')).toBe('true');
    expect(await elsewhere.json()).toEqual(first.body);
    expect(await published(second)).toBe(beforeSecond);
  });

  it('does not spend the key on a rejected request: a corrected retry with it is accepted', async () => {
    const key = unique('retry');
    const rejected = await hook(h.url, hookKey, key, { targets: [] });
    expect(rejected.status).toBe(400);
    const fixed = await hook(h.url, hookKey, key);
    expect(fixed.status).toBe(200);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
  });

  it('takes over a claim whose request died, publishing the run id it held (the audience stores a run once)', async () => {
    const key = unique('crashed');
    const heldRunId = '7a1f0c3e-5b2d-4e8f-9a6b-1c2d3e4f5a6b';
    await db.query(
      `INSERT INTO idempotency_keys (bot_id, key, status_code, response, created_at) VALUES ($1, $2, 0, $3, now() - interval '5 minutes')`,
      [bot.botId, key, JSON.stringify({ runId: heldRunId })],
    );
    const response = await json<Accepted>(await hook(h.url, hookKey, key));
    expect(response).toMatchObject({ status: 200, body: { run_id: heldRunId } });
  });

  it('answers 409 while the first request with the key is still in flight', async () => {
    const key = unique('busy');
    await db.query(
      `INSERT INTO idempotency_keys (bot_id, key, status_code, response) VALUES ($1, $2, 0, '{"runId":"x"}')`,
      [bot.botId, key],
    );
    const response = await json<{ error: { code: string; field: string } }>(
      await hook(h.url, hookKey, key),
    );
    expect(response).toMatchObject({
      status: 409,
      body: { error: { code: 'CONFLICT', field: 'Idempotency-Key' } },
    });
  }, 15_000);

  it('forgets answers older than 24 h', async () => {
    const key = unique('expired');
    const first = await json<Accepted>(await hook(h.url, hookKey, key));
    await db.query(
      `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE bot_id = $1 AND key = $2`,
      [bot.botId, key],
    );
    const later = await json<Accepted>(await hook(h.url, hookKey, key));
    expect(later.status).toBe(200);
    expect(later.body.run_id).not.toBe(first.body.run_id);
  });

  it('answers 400 for a malformed key', async () => {
    for (const key of ['has space', 'x'.repeat(256)]) {
      const response = await json<{ error: { field: string } }>(await hook(h.url, hookKey, key));
      expect(response).toMatchObject({
        status: 400,
        body: { error: { field: 'Idempotency-Key' } },
      });
    }
  });

  it('works the same on V1, V2 and the CSML API', async () => {
    const before = await published(h);
    const calls: Array<(key: string) => Promise<Response>> = [
      (key) =>
        fetch(
          `${h.url}/bots/${bot.botId}/users/2411/send?bot_token=${bot.token}&block_name=welcome`,
          { method: 'POST', headers: { 'idempotency-key': key } },
        ),
      (key) =>
        fetch(`${h.url}/v2/${bot.botId}/send`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${bot.token}`,
            'idempotency-key': key,
          },
          body: JSON.stringify({ customer_phone: '+15551234567', block_id: 'welcome' }),
        }),
      (key) =>
        fetch(`${h.url}/v1/api/broadcasts`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-api-key': bot.token,
            'idempotency-key': key,
          },
          body: JSON.stringify({
            payload: { content_type: 'flow_trigger', content: { flow_id: 'welcome' } },
            client: { user_id: '15551234567' },
          }),
        }),
    ];
    for (const call of calls) {
      const key = unique('api');
      const first = await call(key);
      const firstBody = await first.text();
      const again = await call(key);
      expect({ status: again.status, replayed: again.headers.get('idempotent-replayed') }).toEqual({
        status: 200,
        replayed: 'true',
      });
      expect(JSON.parse(await again.text())).toEqual(JSON.parse(firstBody));
    }
    expect(await published(h)).toBe(before + calls.length);
  });
});
