// Issue 10's cases, end to end on the real stack: an input no stage can store or send is refused
// at the edge with a 400 naming the field, or accepted and ended with a reason; either way the
// ordinary calls made right after it all complete, because no record blocks its partition.
import { randomUUID } from 'node:crypto';
import { Topics, dlqTopicOf } from '@herald/contracts';
import { DLQ_HEADERS } from '@herald/kafka';
import { json } from '@herald/testing';
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';

interface ErrorBody {
  error: { code: string; message: string; field?: string; fix?: string };
}

describe('poison inputs never stop a partition', () => {
  let h: DeliveryHarness;
  let botId: string;
  let hookUrl: string;
  let token: string;

  beforeAll(async () => {
    h = await DeliveryHarness.start({
      KAFKA_RECORD_ATTEMPTS: '3',
      KAFKA_RECORD_RETRY_BASE_MS: '200',
    });
    botId = await h.bot({
      sms: {
        accountSid: 'AC00000000000000000000000000000070',
        authToken: 'tok',
        from: '+15550000070',
      },
    });
    token = (
      await h.stack.admin<{ token: string }>('POST', `/admin/bots/${botId}/tokens`, {
        name: 'poison',
      })
    ).body.token;
    const broadcast = await h.stack.admin<{ hookKey: string }>(
      'POST',
      `/admin/bots/${botId}/broadcasts`,
      {
        name: 'Poison',
        content: { messages: [{ text: 'Hi {{first_name}}' }] },
      },
    );
    hookUrl = `${h.stack.gatewayUrl}/hooks/${broadcast.body.hookKey}`;
  }, 90_000);

  afterAll(async () => {
    await h?.stop();
  });

  const hook = (body: string) =>
    fetch(hookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });

  /** Twelve ordinary calls, as in the issue: every one of them must become a completed run. */
  async function ordinaryCallsComplete(label: string): Promise<void> {
    const runIds = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const answer = await json<{ run_id: string }>(
          await hook(
            JSON.stringify({
              targets: [
                {
                  user_id: `+1555071${label}${String(i).padStart(3, '0')}`,
                  bot_channel: 'sms',
                  first_name: `P${i}`,
                },
              ],
            }),
          ),
        );
        expect(answer.status).toBe(200);
        return answer.body.run_id;
      }),
    );
    for (const runId of runIds)
      expect(
        await h.runWhen(runId, undefined, `ordinary run ${runId} to complete`, 60_000),
      ).toMatchObject({ sent: 1 });
  }

  it('refuses a lone UTF-16 surrogate in a target variable with a 400 naming the field; the calls after it complete', async () => {
    const refused = await json<ErrorBody>(
      await hook(
        '{"targets":[{"user_id":"+15550710001","bot_channel":"sms","first_name":"\\ud800"}]}',
      ),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'body.targets[0].first_name',
      message: expect.stringContaining('lone UTF-16 surrogate'),
    });
    const nul = await json<ErrorBody>(
      await hook('{"targets":[{"user_id":"+15550710002","bot_channel":"sms","nick":"a\\u0000b"}]}'),
    );
    expect(nul.status).toBe(400);
    expect(nul.body.error.message).toContain('NUL');
    await ordinaryCallsComplete('1');
  });

  it('refuses too many variables and an over-long value, naming each', async () => {
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`v${i}`, 'x']));
    const tooMany = await json<ErrorBody>(
      await hook(
        JSON.stringify({ targets: [{ user_id: '+15550710003', bot_channel: 'sms', ...many }] }),
      ),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.field).toBe('targets[0]');
    const long = await json<ErrorBody>(
      await hook(
        JSON.stringify({
          targets: [{ user_id: '+15550710004', bot_channel: 'sms', note: 'x'.repeat(4_097) }],
        }),
      ),
    );
    expect(long.status).toBe(400);
    expect(long.body.error.field).toBe('targets[0].note');
  });

  it('dead-letters an event with a lone surrogate produced straight to broadcast.requested, and the partition moves on', async () => {
    const runId = randomUUID();
    await h.probe.produceEvents(Topics.BroadcastRequested, [
      {
        key: runId,
        partition: 0,
        data: {
          runId,
          botId,
          source: 'event',
          requestedAt: new Date().toISOString(),
          content: { messages: [{ text: 'Hi' }] },
          targets: [
            {
              userId: '+15550710005',
              channel: 'sms',
              create: true,
              variables: { first_name: '\ud800' },
            },
          ],
        },
      },
    ]);
    const after = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        h.broadcast({
          botId,
          content: { messages: [{ text: `After ${i}` }] },
          targets: [{ phone: `+1555071060${i}`, channel: 'sms', create: true }],
        }),
      ),
    );
    for (const id of after) await h.runWhen(id);
    const letters = await h.probe.read(dlqTopicOf(Topics.BroadcastRequested), 1);
    expect(letters.find((l) => l.key === runId)?.headers).toMatchObject({
      [DLQ_HEADERS.class]: 'invalid',
      [DLQ_HEADERS.reason]: expect.stringContaining('lone UTF-16 surrogate'),
    });
  });

  it('dead-letters a request for a bot that does not exist, and a page whose run belongs to another bot, touching nothing', async () => {
    const strangerRun = randomUUID();
    await h.probe.produceEvents(Topics.BroadcastRequested, [
      {
        key: strangerRun,
        data: {
          runId: strangerRun,
          botId: randomUUID(),
          source: 'event',
          requestedAt: new Date().toISOString(),
          content: { messages: [{ text: 'Hi' }] },
        },
      },
    ]);
    const ownRun = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Own' }] },
      targets: [{ phone: '+15550710700', channel: 'sms', create: true }],
    });
    await h.runWhen(ownRun);
    const otherBot = await h.bot({});
    const forged = {
      runId: ownRun,
      botId: otherBot,
      page: 7,
      targets: [{ phone: '+15550710701', channel: 'sms', create: true }],
      messages: [{ text: 'Forged' }],
    };
    await h.probe.produceEvents(Topics.TargetResolved, [{ key: ownRun, data: forged }]);
    const requests = await h.probe.read(dlqTopicOf(Topics.BroadcastRequested), 2);
    expect(requests.find((l) => l.key === strangerRun)?.headers[DLQ_HEADERS.reason]).toContain(
      'does not exist',
    );
    const [page] = await h.probe.read(dlqTopicOf(Topics.TargetResolved), 1);
    expect(page.headers[DLQ_HEADERS.reason]).toContain(`does not belong to bot ${otherBot}`);
    expect(await h.contact(otherBot, 'sms', '+15550710701')).toBeUndefined();
  });

  it('sends a WhatsApp template parameter exactly as the contact wrote it: newline, backslash and quote add nothing', async () => {
    const waBot = await h.bot({
      whatsapp: { phoneNumberId: '1065550710', accessToken: 'EAAG-poison' },
    });
    const nicks = ['two\nlines', 'back\\slash', 'x"},{"type":"text","text":"injected'];
    const template = {
      template: {
        name: 'greeting',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Dear {{nick}}' }] }],
      },
    };
    const runId = await h.broadcast({
      botId: waBot,
      content: { messages: [template] },
      targets: nicks.map((nick, i) => ({
        userId: `1555071070${i}`,
        channel: 'whatsapp' as const,
        create: true,
        variables: { nick },
      })),
    });
    expect(await h.runWhen(runId)).toMatchObject({ sent: 3, failed: 0 });
    for (const [i, nick] of nicks.entries()) {
      const [message] = await h.messages('whatsapp', `1555071070${i}`);
      expect((message as unknown as { template: unknown }).template).toMatchObject({
        name: 'greeting',
        components: [{ type: 'body', parameters: [{ type: 'text', text: `Dear ${nick}` }] }],
      });
    }
  });
});
