// Issue 10's property, on the real stack: arbitrary JSON (any Unicode, lone surrogates, deep and
// large values) at every public API and arbitrary payloads straight at every topic, while a
// canary broadcast runs. Each input is refused with a 4xx or ends (its run reaches a terminal
// state, its record is handled or dead-lettered: every consumer group's lag returns to zero),
// and the canary completes with everyone messaged exactly once.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { jest } from '@jest/globals';
import { ALL_TOPICS, CATALOG, Topics, type TopicName } from '@herald/contracts';
import { eventually } from '@herald/testing';
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';
import { ceHeaders } from '../utils/kafka.js';

jest.setTimeout(480_000);

const CANARY = 40;
const TERMINAL = ['completed', 'failed', 'cancelled'];

describe('property: no input stops Herald, and the canary is messaged once (issue 10)', () => {
  let h: DeliveryHarness;
  let botId: string;
  let token: string;
  let strictKey: string;
  let looseKey: string;

  beforeAll(async () => {
    h = await DeliveryHarness.start({
      KAFKA_RECORD_ATTEMPTS: '2',
      KAFKA_RECORD_RETRY_BASE_MS: '100',
      DELIVERY_RETRY_DELAYS: '500ms',
    });
    botId = await h.bot({
      sms: {
        accountSid: 'AC00000000000000000000000000000080',
        authToken: 'tok',
        from: '+15550000080',
        messagesPerSecond: 500,
      },
    });
    token = (
      await h.stack.admin<{ token: string }>('POST', `/admin/bots/${botId}/tokens`, {
        name: 'property',
      })
    ).body.token;
    const strict = await h.stack.admin<{ hookKey: string }>(
      'POST',
      `/admin/bots/${botId}/broadcasts`,
      {
        name: 'strict',
        content: { messages: [{ text: 'Hi {{first_name}}' }] },
      },
    );
    strictKey = strict.body.hookKey;
    const loose = await h.stack.admin<{ hookKey: string }>(
      'POST',
      `/admin/bots/${botId}/broadcasts`,
      {
        name: 'loose',
        content: { messages: [{ text: 'Payload {{payload.x}}' }] },
        settings: { requireValidFilter: false },
      },
    );
    looseKey = loose.body.hookKey;
  }, 90_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('refuses with a 4xx or ends every input, and the canary completes with everyone messaged once', async () => {
    const canaryPeople = Array.from(
      { length: CANARY },
      (_, i) => `+1555080${String(i).padStart(4, '0')}`,
    );
    const canary = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Canary {{first_name}}' }] },
      targets: canaryPeople.map((phone, i) => ({
        phone,
        channel: 'sms' as const,
        create: true,
        variables: { first_name: `C${i}` },
      })),
    });

    // Any code point, lone surrogates and NUL included; some strings long.
    const text = fc.oneof(
      { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 6 },
      {
        arbitrary: fc.constantFrom(
          '\ud800',
          'a\udfffb',
          '\u0000',
          '{{first_name}}',
          '"},{"x":"',
          '\\',
          '🎉',
        ),
        weight: 2,
      },
      { arbitrary: fc.string({ unit: 'binary', minLength: 4_000, maxLength: 5_000 }), weight: 1 },
    );
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(text, tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    const deep = fc.integer({ min: 10, max: 200 }).map((n) => `${'['.repeat(n)}1${']'.repeat(n)}`);
    const phone = fc.oneof(
      fc.constantFrom('+15550810001', '15550810002', '+1 (555) 081-0003'),
      text,
    );
    const target = fc.record(
      {
        user_id: phone,
        bot_channel: fc.oneof(fc.constant('sms'), text),
        first_name: json,
        nick: json,
      },
      { requiredKeys: ['user_id'] },
    );
    const hookBody = fc.oneof(
      fc
        .record({ targets: fc.array(target, { minLength: 1, maxLength: 3 }) })
        .map((b) => JSON.stringify(b)),
      fc
        .record({
          set_variables: text,
          set_variables_values: text,
          audience_filters: text,
          audience_criteria: fc.constant('Equals'),
          audience_values: text,
        })
        .map((b) => JSON.stringify(b)),
      json.map((b) => JSON.stringify(b) ?? 'null'),
      deep,
    );
    const apiCall = fc.record({
      kind: fc.constantFrom('strict', 'loose', 'v1', 'v2', 'csml'),
      body: hookBody,
      userId: text,
    });

    const accepted: string[] = [];
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(apiCall, async ({ kind, body, userId }) => {
        const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
        const url = {
          strict: `/hooks/${strictKey}`,
          loose: `/hooks/${looseKey}`,
          v1: `/bots/${botId}/users/${encodeURIComponent(userId.replace(/[\ud800-\udfff]/g, 'x')) || 'u'}/send?chatfuel_token=${token}&block_name=x`,
          v2: `/v2/${botId}/send`,
          csml: '/v1/api/broadcasts',
        }[kind];
        const response = await fetch(`${h.stack.gatewayUrl}${url}`, {
          method: 'POST',
          headers: kind === 'csml' ? { ...headers, 'x-api-key': token } : headers,
          body,
        });
        calls++;
        const answer = await response.text();
        if (response.status >= 500)
          throw new Error(`${kind} → ${response.status}: ${answer.slice(0, 300)}`);
        if (response.status < 300) {
          const runId = (
            JSON.parse(answer) as { run_id?: string; runId?: string; request_id?: string }
          ).run_id;
          if (runId) accepted.push(runId);
        }
      }),
      { numRuns: 200, interruptAfterTimeLimit: 30_000, markInterruptAsFailure: false },
    );
    expect(calls).toBeGreaterThanOrEqual(50);
    expect(accepted.length).toBeGreaterThan(0); // some inputs must get through, or only the front door is tested

    // Straight at every topic: shapes that validate but cannot be processed, shapes that do not
    // validate, and bytes that are not JSON at all.
    const uuid = fc.oneof(
      { arbitrary: fc.uuid(), weight: 3 },
      { arbitrary: fc.constant(botId), weight: 1 },
    );
    const shaped = (topic: TopicName) =>
      fc
        .record({
          runId: fc.uuid(),
          botId: uuid,
          contactId: fc.uuid(),
          to: text,
          text,
          variables: fc.dictionary(text, text, { maxKeys: 3 }),
          status: fc.constantFrom('sent', 'failed', 'delivered'),
        })
        .map((f) => {
          const common = { runId: f.runId, botId: f.botId };
          switch (CATALOG[topic].key) {
            case 'contactId':
              return {
                ...common,
                contactId: f.contactId,
                channel: 'sms',
                to: f.to,
                messages: [{ text: f.text || 'x' }],
                variables: f.variables,
                attempt: 0,
              };
            case 'runId':
              return topic === Topics.TargetResolved
                ? {
                    ...common,
                    page: 0,
                    targets: [
                      { phone: f.to, channel: 'sms', create: true, variables: f.variables },
                    ],
                    messages: [{ text: f.text || 'x' }],
                  }
                : {
                    ...common,
                    contactId: f.contactId,
                    channel: 'sms',
                    status: f.status,
                    at: new Date().toISOString(),
                    source: 'event',
                    requestedAt: new Date().toISOString(),
                    targets: [{ phone: f.to, channel: 'sms', create: true }],
                    content: { messages: [{ text: f.text || 'x' }] },
                  };
            default:
              return {
                ...common,
                channel: 'sms',
                from: f.to,
                to: f.to,
                text: f.text,
                at: new Date().toISOString(),
                status: f.status,
                providerMessageId: f.text,
              };
          }
        });
    const record = fc.constantFrom(...ALL_TOPICS).chain((topic) =>
      fc.record({
        topic: fc.constant(topic),
        value: fc.oneof(
          shaped(topic).map((d) => JSON.stringify(d)),
          json.map((d) => JSON.stringify(d) ?? 'null'),
          fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 5 }), async (records) => {
        for (const { topic, value } of records)
          await h.probe.produce(topic, [{ key: randomUUID(), value, headers: ceHeaders(topic) }]);
      }),
      { numRuns: 40 },
    );

    // The canary: completed, everyone messaged exactly once.
    expect(await h.runWhen(canary, undefined, 'the canary run to complete', 120_000)).toMatchObject(
      { status: 'completed', sent: CANARY, failed: 0 },
    );
    const received = (await h.messages('sms')).filter((m) => m.text?.startsWith('Canary '));
    expect(received.map((m) => m.to).sort()).toEqual([...canaryPeople].sort());
    expect(received.every((m) => m.count === 1)).toBe(true);

    // Every accepted call's run ends.
    for (const runId of accepted) {
      await h.runWhen(
        runId,
        (r) => TERMINAL.includes(r.status),
        `accepted run ${runId} to end`,
        120_000,
      );
    }

    // Every record of every topic was handled or dead-lettered: each consumer group caught up.
    for (const topic of ALL_TOPICS) {
      for (const service of CATALOG[topic].consumers) {
        const group = `${h.stack.prefix}herald-${service}.${topic}`;
        await eventually(
          async () => (await h.probe.committed(group, topic)) >= (await h.probe.endOffset(topic)),
          `${service} to consume all of ${topic}`,
          120_000,
        );
      }
    }
  });
});
