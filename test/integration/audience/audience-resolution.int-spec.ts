// Resolution through the real audience app on real Kafka and PostgreSQL: each criterion, joins,
// overrides, keyset paging, single contact, targets mode, and requests published straight to
// broadcast.requested.v1 by another service (valid ones resolved, invalid ones dead-lettered).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  Topics,
  type Audience,
  type BroadcastRequested,
  type Criterion,
  type TargetResolved,
} from '@herald/contracts';
import { ceHeaders } from '../../utils/kafka.js';
import { AudienceHarness, targetedIds } from './audience.harness.js';

const one = (field: string, criteria: Criterion, value: string): Audience => ({
  filters: [{ field, criteria, value }],
});

describe('audience resolution (real Kafka and PostgreSQL)', () => {
  const h = new AudienceHarness();
  let botId: string;
  let c: Record<'ada' | 'bob' | 'cyd' | 'dee' | 'eve', string>;
  let pages: Map<string, TargetResolved[]>;
  const cases: Array<{
    name: string;
    request: BroadcastRequested;
    expected: string[] | 'failed';
    reason?: RegExp;
  }> = [];

  beforeAll(async () => {
    await h.prepare();
    botId = await h.createBot();
    const [ada, bob, cyd, dee, eve] = await h.insertContacts(botId, [
      {
        userId: '1001',
        phone: '+15550001',
        email: 'ada@example.com',
        variables: { color: 'red', age: '30', plan: 'Gold' },
        firstSeen: '2026-01-10T00:00:00Z',
      },
      {
        userId: '1002',
        phone: '+15550002',
        email: 'BOB@example.com',
        variables: { color: 'Red', age: '9' },
        firstSeen: '2026-02-10T00:00:00Z',
      },
      {
        userId: '1003',
        channel: 'sms',
        variables: { color: 'blue', age: '100', nickname: '' },
        firstSeen: '2026-03-10T00:00:00Z',
      },
      {
        userId: '1004',
        channel: 'messenger',
        phone: '+447700900004',
        fbid: 'fb4',
        variables: { age: 'abc' },
        firstSeen: '2026-04-10T00:00:00Z',
      },
      { userId: '1005', phone: '+15550005', firstSeen: '2026-05-10T00:00:00Z' },
    ]);
    c = { ada: ada, bob: bob, cyd: cyd, dee: dee, eve: eve };
    const all = Object.values(c);
    const saved = await h.createBroadcast(botId, { audience: one('color', 'Equals', 'blue') });
    const bare = await h.createBroadcast(botId);
    const add = (
      name: string,
      extra: Partial<BroadcastRequested>,
      expected: string[] | 'failed',
      reason?: RegExp,
    ) => cases.push({ name, request: h.request(botId, extra), expected, reason });
    const filter = (name: string, audience: Audience, expected: string[]) =>
      add(name, { audience }, expected);

    filter('Equals ignores A-Z case', one('color', 'Equals', 'RED'), [c.ada, c.bob]);
    filter('Different matches an unset variable', one('color', 'Different', 'red'), [
      c.cyd,
      c.dee,
      c.eve,
    ]);
    filter('GreaterThan: numbers numerically, text as text', one('age', 'GreaterThan', '10'), [
      c.ada,
      c.cyd,
      c.dee,
    ]);
    filter('LesserThan', one('age', 'LesserThan', '10'), [c.bob]);
    filter('Contains', one('email', 'Contains', 'EXAMPLE'), [c.ada, c.bob]);
    filter('DoesNotContain matches an unset field', one('email', 'DoesNotContain', 'bob'), [
      c.ada,
      c.cyd,
      c.dee,
      c.eve,
    ]);
    filter('StartsWith', one('user_phone_number', 'StartsWith', '+1555'), [c.ada, c.bob, c.eve]);
    filter('DoesNotStartWith', one('user_phone_number', 'DoesNotStartWith', '+1555'), [
      c.cyd,
      c.dee,
    ]);
    filter('HasValue', one('email', 'HasValue', ''), [c.ada, c.bob]);
    filter('EmptyOrUnset: empty and unset', one('nickname', 'EmptyOrUnset', ''), all);
    filter('IsLongerThan', one('age', 'IsLongerThan', '2'), [c.cyd, c.dee]);
    filter('IsShorterThan', one('age', 'IsShorterThan', '2'), [c.bob]);
    filter('bot_channel', one('bot_channel', 'Equals', 'SMS'), [c.cyd]);
    filter('first_seen as a date', one('first_seen', 'GreaterThan', '2026-03-01'), [
      c.cyd,
      c.dee,
      c.eve,
    ]);
    filter(
      'fbid and user_id',
      {
        filters: [
          { field: 'fbid', criteria: 'Equals', value: 'fb4' },
          { field: 'user_id', criteria: 'Equals', value: '1001' },
        ],
        joins: ['OR'],
      },
      [c.ada, c.dee],
    );
    filter(
      'AND binds tighter than OR',
      {
        filters: [
          { field: 'color', criteria: 'Equals', value: 'red' },
          { field: 'bot_channel', criteria: 'Equals', value: 'sms' },
          { field: 'age', criteria: 'GreaterThan', value: '50' },
        ],
        joins: ['OR', 'AND'],
      },
      [c.ada, c.bob, c.cyd],
    );
    filter(
      'joins default to AND',
      {
        filters: [
          { field: 'color', criteria: 'Equals', value: 'red' },
          { field: 'age', criteria: 'LesserThan', value: '10' },
        ],
      },
      [c.bob],
    );
    filter('nobody matches: no page, run completes', one('color', 'Equals', 'green'), []);
    add(
      'the broadcast’s saved audience applies without filters',
      { broadcastId: saved, content: undefined },
      [c.cyd],
    );
    add(
      'request filters override the saved audience',
      { broadcastId: saved, audience: one('plan', 'Equals', 'gold') },
      [c.ada],
    );
    add('neither: every contact of the bot', { broadcastId: bare }, all);
    add('no broadcast, no filters: every contact', {}, all);
    add('singleContact: the first one only', { options: { singleContact: true } }, [
      [...all].sort()[0],
    ]);
    add(
      'an invalid filter fails the run with the reason',
      { audience: one('age', 'IsLongerThan', 'five') },
      'failed',
      /audience\.filters\[0\]\.value must be a whole number/,
    );
    add(
      'an unknown broadcast fails the run',
      { broadcastId: randomUUID() },
      'failed',
      /does not exist/,
    );
    add(
      'no content and no broadcast fails the run',
      { content: undefined },
      'failed',
      /nothing to send/,
    );

    await h.start({ AUDIENCE_PAGE_SIZE: '100' });
    await h.publish(cases.map((x) => x.request));
    await h.settled(cases.map((x) => x.request.runId));
    pages = await h.pages();
  }, 90_000);

  afterAll(async () => {
    await h.close();
  });

  it('selects exactly the expected contacts for each criterion, join and override', async () => {
    const outcome = await Promise.all(
      cases.map(async ({ name, request, expected }) => {
        const run = await h.run(request.runId);
        const got =
          expected === 'failed' ? run?.status : targetedIds(pages.get(request.runId)).sort();
        return [name, got];
      }),
    );
    expect(Object.fromEntries(outcome)).toEqual(
      Object.fromEntries(
        cases.map(({ name, expected }) => [
          name,
          expected === 'failed' ? 'failed' : [...expected].sort(),
        ]),
      ),
    );
  });

  it('records the targeted count and the run state; failures carry a reason a person can act on', async () => {
    for (const { name, request, expected, reason } of cases) {
      const run = (await h.run(request.runId))!;
      if (expected === 'failed') {
        expect([name, run.reason]).toEqual([name, expect.stringMatching(reason!)]);
        continue;
      }
      expect([name, run.targeted, run.status]).toEqual([
        name,
        expected.length,
        expected.length === 0 ? 'completed' : 'delivering',
      ]);
    }
  });

  it('carries content, variables, payload and options on every page', async () => {
    const request = cases.find((x) => x.name.startsWith('request filters override'))!.request;
    const [page] = pages.get(request.runId)!;
    expect(page).toMatchObject({
      runId: request.runId,
      botId,
      page: 0,
      messages: [{ text: 'Hello' }],
      broadcastId: request.broadcastId,
    });
    const saved = cases.find((x) => x.name.startsWith('the broadcast’s saved'))!.request;
    expect(pages.get(saved.runId)![0].messages).toEqual([{ text: 'Saved content' }]);
  });

  it('pages a large audience in keyset order: everyone once, pages numbered without gaps', async () => {
    {
      const big = await h.createBot();
      const ids = await h.insertContacts(
        big,
        Array.from({ length: 1234 }, (_, i) => ({ userId: `u${i}`, variables: { n: String(i) } })),
      );
      const everyone = h.request(big);
      const filtered = h.request(big, { audience: one('n', 'GreaterThan', '999') });
      await h.publish([everyone, filtered]);
      const runs = await h.settled([everyone.runId, filtered.runId]);
      const all = await h.pages();
      const pagesOf = (runId: string) => all.get(runId)!.map((p) => p.page);
      expect(pagesOf(everyone.runId)).toEqual(Array.from({ length: 13 }, (_, i) => i));
      expect(targetedIds(all.get(everyone.runId))).toEqual([...ids].sort());
      expect(runs.get(everyone.runId)!.targeted).toBe(1234);
      expect(pagesOf(filtered.runId)).toEqual([0, 1, 2]);
      expect(targetedIds(all.get(filtered.runId))).toEqual(ids.filter((_, i) => i > 999).sort());
    }
  }, 60_000);

  it('targets mode: each target its own variables, created only when it can be, each person once', async () => {
    const request = h.request(botId, {
      targets: [
        {
          userId: '15550009',
          channel: 'whatsapp',
          variables: { first_name: 'Ada', email: 'ada@x.org', user_id: '15550009' },
          create: true,
        },
        { phone: '15550010', channel: 'sms', create: true },
        { phone: '+447700900011', channel: 'messenger', create: true },
        { userId: 'u-12', create: true },
        { userId: '15550009', channel: 'whatsapp', variables: { first_name: 'Again' } },
        { userId: '15550013', channel: 'sms', create: false },
        { userId: '15550014', channel: 'whatsapp' },
      ],
      setVariables: { campaign: 'spring', user_id: 'not-a-variable' },
    });
    await h.publish([request]);
    await h.settled([request.runId]);
    const [page, ...rest] = (await h.pages()).get(request.runId)!;
    expect(rest).toEqual([]);
    expect(page.targets).toEqual([
      {
        userId: '15550009',
        email: 'ada@x.org',
        channel: 'whatsapp',
        variables: { first_name: 'Ada' },
        create: true,
      },
      { userId: '15550010', phone: '15550010', channel: 'sms', create: true },
      { phone: '+447700900011', channel: 'messenger', create: false },
      { userId: 'u-12', create: false },
      { userId: '15550013', channel: 'sms', create: false },
      { userId: '15550014', channel: 'whatsapp', create: true },
    ]);
    expect(page.setVariables).toEqual({ campaign: 'spring' });
    expect((await h.run(request.runId))!.targeted).toBe(6);
  });

  it('legacy set_conversation (one target by user id, else phone): looked up, created only with a channel', async () => {
    const byPhone = h.request(botId, {
      targets: [{ phone: '+15550001', variables: { color: 'green' }, create: true }],
    });
    const creatable = h.request(botId, {
      targets: [
        {
          userId: '15550077',
          phone: '15550077',
          channel: 'whatsapp',
          variables: { name: 'Zed' },
          create: true,
        },
      ],
    });
    await h.publish([byPhone, creatable]);
    await h.settled([byPhone.runId, creatable.runId]);
    const all = await h.pages();
    expect(all.get(byPhone.runId)![0].targets).toEqual([
      { phone: '+15550001', variables: { color: 'green' }, create: false },
    ]);
    expect(all.get(creatable.runId)![0].targets).toEqual([
      {
        userId: '15550077',
        phone: '15550077',
        channel: 'whatsapp',
        variables: { name: 'Zed' },
        create: true,
      },
    ]);
  });

  it('dead-letters requests another service published invalid, with the reason, and goes on', async () => {
    const good = h.request(botId, { targets: [{ userId: '1001', channel: 'whatsapp' }] });
    const missingBot = { ...h.request(botId), botId: undefined };
    await h.probe.produce(Topics.BroadcastRequested, [
      { key: 'bad-json', value: '{"runId": ', headers: ceHeaders(Topics.BroadcastRequested) },
      {
        key: 'no-bot',
        value: JSON.stringify(missingBot),
        headers: ceHeaders(Topics.BroadcastRequested),
      },
      {
        key: good.runId,
        value: JSON.stringify(good),
        headers: ceHeaders(Topics.BroadcastRequested),
      },
    ]);
    await h.settled([good.runId]);
    expect(targetedIds((await h.pages()).get(good.runId))).toHaveLength(1);
    const letters = await h.deadLetters();
    const reasons = Object.fromEntries(letters.map((l) => [l.key, l.headers.herald_dlq_reason]));
    expect(reasons['bad-json']).toMatch(/invalid event/);
    expect(reasons['no-bot']).toMatch(/botId/);
    expect(await h.run(missingBot.runId)).toBeUndefined();
  });
});
