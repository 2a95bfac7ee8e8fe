// The whole pipeline with audience filters: a hook call with Xenioo-style filters reaches only
// the contacts they select, each once, through contact and delivery to the sandbox provider.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { eventually, json, startStack, testDatabaseUrl, type Stack } from '@herald/testing';

interface SandboxMessages {
  messages: Array<{ to: string; text?: string; count: number }>;
}

describe('hook with audience filters → only the matching contacts get the message', () => {
  const db = new pg.Pool({ connectionString: testDatabaseUrl(), max: 1 });
  let stack: Stack;
  let hookUrl: string;
  let botToken: string;
  const tag = randomUUID().slice(0, 6);
  // Phone numbers of this run only, so the sandbox's inbox is not shared with other tests.
  const phone = (n: number) =>
    `1555${tag.replace(/\D/g, '').padEnd(4, '7').slice(0, 4)}${String(n).padStart(3, '0')}`;

  beforeAll(async () => {
    stack = await startStack();
    const bot = await stack.admin<{ id: string }>('POST', '/admin/bots', { name: 'Filter bot' });
    botToken = (
      await stack.admin<{ token: string }>('POST', `/admin/bots/${bot.body.id}/tokens`, {
        name: 'ci',
      })
    ).body.token;
    await stack.admin('POST', `/admin/bots/${bot.body.id}/channels`, {
      type: 'whatsapp',
      config: {
        phoneNumberId: '1065550002',
        accessToken: 'EAAG-test-token',
        enforceCustomerServiceWindow: false,
      },
    });
    const broadcast = await stack.admin<{ hookKey: string }>(
      'POST',
      `/admin/bots/${bot.body.id}/broadcasts`,
      {
        name: 'Gold offer',
        content: { messages: [{ text: 'Hello {{first_name}}, {{plan}} offer' }] },
      },
    );
    hookUrl = `${stack.gatewayUrl}/hooks/${broadcast.body.hookKey}`;
    const people: Array<[number, Record<string, string>]> = [
      [1, { first_name: 'Ada', plan: 'gold', age: '34' }],
      [2, { first_name: 'Bob', plan: 'Gold', age: '17' }],
      [3, { first_name: 'Cyd', plan: 'silver', age: '40' }],
      [4, { first_name: 'Dee', age: '51' }],
    ];
    await db.query(
      `INSERT INTO contacts (id, bot_id, channel, user_id, phone, variables)
       SELECT gen_random_uuid(), $1, 'whatsapp', u.phone, u.phone, u.variables FROM unnest($2::text[], $3::jsonb[]) AS u(phone, variables)`,
      [bot.body.id, people.map(([n]) => phone(n)), people.map(([, v]) => JSON.stringify(v))],
    );
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await db.end();
  });

  it('plan Equals gold AND age GreaterThan 18, OR age GreaterThan 50: Ada and Dee, once each', async () => {
    const accepted = await json<{ run_id: string }>(
      await fetch(hookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${botToken}` },
        body: JSON.stringify({
          audience_filters: 'plan;age;age',
          audience_criteria: 'Equals;GreaterThan;GreaterThan',
          audience_values: 'GOLD;18;50',
          audience_join: 'AND;OR',
        }),
      }),
    );
    expect(accepted.status).toBe(200);
    const run = await eventually(async () => {
      const { body } = await stack.admin<{ status: string; counts: Record<string, number> }>(
        'GET',
        `/admin/runs/${accepted.body.run_id}`,
      );
      return body.status === 'completed' ? body : undefined;
    }, 'the run to complete');
    expect(run.counts).toMatchObject({ targeted: 2, sent: 2, failed: 0, skipped: 0 });
    const inbox = async (n: number) =>
      (
        await json<SandboxMessages>(
          await fetch(`${stack.sandboxUrl}/sandbox/messages?channel=whatsapp&to=${phone(n)}`),
        )
      ).body.messages;
    expect((await inbox(1)).map((m) => [m.text, m.count])).toEqual([['Hello Ada, gold offer', 1]]);
    expect((await inbox(4)).map((m) => [m.text, m.count])).toEqual([['Hello Dee,  offer', 1]]);
    expect(await inbox(2)).toEqual([]);
    expect(await inbox(3)).toEqual([]);
  });
});
