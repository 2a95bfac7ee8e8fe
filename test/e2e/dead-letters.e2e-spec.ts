// Dead letters end to end: records parked straight in the `.dlq` topics (as a consumer parks
// them, with the herald_dlq_* headers) are stored by the audience's ledger and counted in their
// runs, listed and read through the admin API, and replayed onto their topic, where a replayed
// delivery messages its person once however often it is replayed.
import { randomUUID } from 'node:crypto';
import { Topics, dlqTopicOf, type TopicName } from '@herald/contracts';
import { eventually } from '@herald/testing';
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';
import { ceHeaders } from '../utils/kafka.js';

interface Listed {
  id: string;
  topic: string;
  sourceTopic: string | null;
  reason: string | null;
  class: string | null;
  code: string | null;
  attempts: number | null;
  runId: string | null;
  botId: string | null;
  key: string | null;
  replays: number;
}

interface Detail extends Listed {
  headers: Record<string, string>;
  value: unknown;
  valueEncoding: string;
  dlq: { topic: string; partition: number; offset: string };
}

interface ListBody {
  deadLetters: Listed[];
  nextCursor: string | null;
}

describe('dead letters', () => {
  let h: DeliveryHarness;

  beforeAll(async () => {
    h = await DeliveryHarness.start();
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  /** Parks a record in `topic`'s DLQ as a consumer would (original headers plus the herald_dlq_* ones). */
  async function park(
    topic: TopicName,
    value: unknown,
    options: {
      key?: string;
      reason?: string;
      class?: string;
      attempts?: number;
      code?: string;
      source?: string;
    } = {},
  ): Promise<void> {
    await h.probe.produce(dlqTopicOf(topic), [
      {
        key: options.key ?? randomUUID(),
        value: typeof value === 'string' ? value : JSON.stringify(value),
        headers: {
          ...ceHeaders(topic),
          authorization: 'Bearer must-never-be-stored',
          herald_dlq_reason: options.reason ?? 'something went wrong',
          herald_dlq_topic: options.source ?? topic,
          herald_dlq_partition: '0',
          herald_dlq_offset: '7',
          herald_dlq_at: new Date().toISOString(),
          herald_dlq_class: options.class ?? 'permanent',
          herald_dlq_attempts: String(options.attempts ?? 1),
          ...(options.code ? { herald_dlq_code: options.code } : {}),
        },
      },
    ]);
  }

  const list = (query: string) => h.stack.admin<ListBody>('GET', `/admin/dead-letters?${query}`);

  /** Waits until the ledger stored `count` dead letters matching the query. */
  async function listedWhen(query: string, count: number): Promise<Listed[]> {
    return eventually(async () => {
      const { status, body } = await list(`${query}&limit=1000`);
      return status === 200 && body.deadLetters.length === count ? body.deadLetters : undefined;
    }, `${count} dead letter(s) for ${query}`);
  }

  /** A run waiting for its people (resolved, nothing settled yet), as the audience leaves one. */
  async function runInProgress(botId: string, targeted: number): Promise<string> {
    const runId = randomUUID();
    await h.db.query(
      `INSERT INTO runs (id, bot_id, source, status, resolution_done, targeted, topic_prefix) VALUES ($1, $2, 'event', 'delivering', true, $3, $4)`,
      [runId, botId, targeted, h.stack.prefix],
    );
    return runId;
  }

  const messages = [{ text: 'Hello from the DLQ' }];

  it('fails the run of a dead-lettered broadcast request, visible to the caller with a reason', async () => {
    const botId = await h.bot({});
    const runId = randomUUID();
    await park(
      Topics.BroadcastRequested,
      {
        runId,
        botId,
        source: 'hook',
        requestedAt: new Date().toISOString(),
        content: { messages },
      },
      {
        key: runId,
        reason: 'could not store the run: unsupported Unicode escape sequence',
        class: 'permanent',
        code: '22P05',
      },
    );

    const run = await eventually(async () => {
      const { status, body } = await h.stack.admin<{ status: string; reason?: string }>(
        'GET',
        `/admin/runs/${runId}`,
      );
      return status === 200 && body.status === 'failed' ? body : undefined;
    }, 'the run to be failed');
    expect(run.reason).toContain('unsupported Unicode escape sequence');
    expect(run.reason).toMatch(/send it again/);
    const [letter] = await listedWhen(`runId=${runId}`, 1);
    expect(run.reason).toContain(letter.id);
    expect(letter).toMatchObject({
      topic: Topics.BroadcastRequested,
      botId,
      class: 'permanent',
      code: '22P05',
      attempts: 1,
      key: runId,
    });
  });

  it('counts the targets of a dead-lettered page as failed, once, and the run completes', async () => {
    const botId = await h.bot({});
    const runId = await runInProgress(botId, 3);
    const page = {
      runId,
      botId,
      page: 0,
      targets: [{ userId: '15550800001' }, { userId: '15550800002' }, { userId: '15550800003' }],
      messages,
    };
    // Parked twice (a consumer that crashed after parking it): still three people.
    await park(Topics.TargetResolved, page, {
      key: runId,
      class: 'transient',
      attempts: 5,
      source: `${Topics.TargetResolved}.retry.5s`,
    });
    await park(Topics.TargetResolved, page, { key: runId, class: 'transient', attempts: 5 });
    await listedWhen(`runId=${runId}`, 2);

    const run = await h.runWhen(runId);
    expect(run).toMatchObject({ status: 'completed', targeted: 3, failed: 3, sent: 0 });

    const metrics = await (await fetch(`${h.stack.urlOf('audience')}/metrics`)).text();
    expect(metrics).toMatch(
      /herald_dead_letters_total\{[^}]*topic="target\.resolved\.v1"[^}]*class="transient"[^}]*\} [1-9]/,
    );
  });

  it('counts a dead-lettered delivery as its person failed, once', async () => {
    const botId = await h.bot({});
    const runId = await runInProgress(botId, 1);
    const contactId = randomUUID();
    const delivery = {
      runId,
      botId,
      contactId,
      channel: 'sms',
      to: '+15550900001',
      messages,
      variables: {},
      attempt: 3,
    };
    await park(Topics.DeliveryRequestedSms, delivery, {
      key: contactId,
      class: 'transient',
      attempts: 4,
      code: '20429',
    });
    await park(Topics.DeliveryRequestedSms, delivery, {
      key: contactId,
      class: 'transient',
      attempts: 4,
      code: '20429',
    });
    await listedWhen(`runId=${runId}`, 2);

    expect(await h.runWhen(runId)).toMatchObject({ status: 'completed', targeted: 1, failed: 1 });
  });

  it('counts a dead-lettered batched delivery as every person it names failed, each once', async () => {
    const botId = await h.bot({});
    const runId = await runInProgress(botId, 3);
    const recipients = [1, 2, 3].map((i) => ({
      contactId: randomUUID(),
      to: `+1555091000${i}`,
      variables: {},
    }));
    const batch = { runId, botId, channel: 'sms', messages, recipients };
    // Parked twice (a consumer that crashed after parking it): nobody counts twice.
    for (let i = 0; i < 2; i++)
      await park(Topics.DeliveryBatchSms, batch, {
        key: recipients[0].contactId,
        class: 'transient',
        attempts: 5,
      });
    // One that cannot be read is stored with its reason and counts nobody.
    await park(Topics.DeliveryBatchSms, `{"runId":"${runId}","recipients":[`, {
      reason: 'invalid event: not JSON',
      class: 'invalid',
    });
    const listed = await listedWhen(`topic=${Topics.DeliveryBatchSms}`, 3);
    expect(listed.filter((l) => l.runId === runId)).toHaveLength(2);
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          topic: Topics.DeliveryBatchSms,
          runId: null,
          reason: 'invalid event: not JSON',
          class: 'invalid',
        }),
      ]),
    );

    expect(await h.runWhen(runId)).toMatchObject({ status: 'completed', targeted: 3, failed: 3 });
  });

  it('counts the people of a dead-lettered batched result as it reported them, each once, so the run completes', async () => {
    const botId = await h.bot({});
    const runId = await runInProgress(botId, 3);
    const at = new Date().toISOString();
    const results = {
      runId,
      botId,
      results: [
        { contactId: randomUUID(), channel: 'sms', status: 'sent', at },
        { contactId: randomUUID(), channel: 'sms', status: 'failed', reason: 'refused', at },
        { id: randomUUID(), recipient: '+15550910009', status: 'skipped', reason: 'opted out', at },
      ],
    };
    // Parked twice (a consumer that crashed after parking it): nobody counts twice.
    for (let i = 0; i < 2; i++)
      await park(Topics.DeliveryResultBatch, results, {
        key: runId,
        class: 'transient',
        attempts: 5,
      });
    await listedWhen(`runId=${runId}`, 2);

    expect(await h.runWhen(runId)).toMatchObject({
      status: 'completed',
      targeted: 3,
      sent: 1,
      failed: 1,
      skipped: 1,
    });
  });

  it('touches no run of another bot: a forged request, page or delivery naming it is only stored', async () => {
    const owner = await h.bot({});
    const stranger = await h.bot({});
    const runId = await runInProgress(owner, 1);
    await park(
      Topics.BroadcastRequested,
      {
        runId,
        botId: stranger,
        source: 'event',
        requestedAt: new Date().toISOString(),
        content: { messages },
      },
      { key: runId },
    );
    await park(
      Topics.TargetResolved,
      { runId, botId: stranger, page: 3, targets: [{ userId: '15550800009' }], messages },
      { key: runId },
    );
    await park(Topics.DeliveryRequestedSms, {
      runId,
      botId: stranger,
      contactId: randomUUID(),
      channel: 'sms',
      to: '+15550900009',
      messages,
      variables: {},
      attempt: 0,
    });
    await listedWhen(`runId=${runId}`, 3);
    expect(await h.run(runId)).toMatchObject({ status: 'delivering', failed: 0 });
  });

  it('lists newest first in keyset pages, filters, and shows one without secrets', async () => {
    const botId = randomUUID();
    const runId = randomUUID();
    for (const status of ['sent', 'failed', 'skipped']) {
      await park(
        Topics.DeliveryResult,
        { runId, botId, status, at: new Date().toISOString() },
        { key: runId, reason: `result ${status}` },
      );
    }
    const all = await listedWhen(`botId=${botId}`, 3);
    // Stored in order on one partition (one key): newest first means the reverse.
    expect(all.map((l) => l.reason)).toEqual(['result skipped', 'result failed', 'result sent']);

    const first = await list(`botId=${botId}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.deadLetters.map((l) => l.id)).toEqual(all.slice(0, 2).map((l) => l.id));
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await list(`botId=${botId}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ deadLetters: [all[2]], nextCursor: null });

    expect(
      (await list(`topic=${Topics.DeliveryResult}&runId=${runId}`)).body.deadLetters,
    ).toHaveLength(3);
    expect(
      (await list(`topic=${Topics.ContactInbound}&runId=${runId}`)).body.deadLetters,
    ).toHaveLength(0);

    const one = await h.stack.admin<Detail>('GET', `/admin/dead-letters/${all[0].id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      topic: Topics.DeliveryResult,
      runId,
      botId,
      valueEncoding: 'json',
      value: { runId, botId, status: 'skipped' },
      dlq: {
        topic: dlqTopicOf(Topics.DeliveryResult),
        partition: expect.any(Number),
        offset: expect.any(String),
      },
    });
    expect(one.body.headers.ce_type).toBeDefined();
    expect(
      Object.keys(one.body.headers).filter((n) => /authorization|herald_dlq_/i.test(n)),
    ).toEqual([]);
    expect(JSON.stringify(one.body)).not.toContain('must-never-be-stored');
  });

  it('reads the DLQs without making DLQs of its own', async () => {
    const admin = await h.probe.admin();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(h.stack.prefix));
    expect(topics.filter((t) => t.endsWith('.dlq')).length).toBeGreaterThanOrEqual(10);
    expect(topics.filter((t) => t.endsWith('.dlq.dlq'))).toEqual([]);
  });

  it('refuses malformed queries and ids with a 400, and unknown ids with a 404', async () => {
    const refusals = await Promise.all([
      list('topic=broadcast.requested.v1.dlq'),
      list('botId=not-a-uuid'),
      list('runId=123'),
      list('limit=0'),
      list('cursor=%21%21'),
      h.stack.admin('GET', '/admin/dead-letters/not-a-uuid'),
      h.stack.admin('POST', '/admin/dead-letters/not-a-uuid/replay'),
    ]);
    expect(refusals.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400, 400]);
    expect(refusals[0].body).toMatchObject({
      error: { field: 'topic', fix: expect.stringContaining(Topics.BroadcastRequested) },
    });
    const unknown = randomUUID();
    expect((await h.stack.admin('GET', `/admin/dead-letters/${unknown}`)).status).toBe(404);
    expect((await h.stack.admin('POST', `/admin/dead-letters/${unknown}/replay`)).status).toBe(404);
    expect((await fetch(`${h.stack.gatewayUrl}/admin/dead-letters`)).status).toBe(401);
  });

  it('refuses to replay what would come straight back (not JSON), and stores it anyway', async () => {
    const key = `garbage-${randomUUID()}`;
    await park(Topics.BroadcastRequested, '{"runId": oops', {
      key,
      class: 'invalid',
      reason: 'invalid event: value is not JSON',
    });
    const letter = await eventually(async () => {
      const { body } = await list(`topic=${Topics.BroadcastRequested}&limit=1000`);
      return body.deadLetters.find((l) => l.key === key);
    }, 'the garbage to be stored');
    expect(letter).toMatchObject({ runId: null, class: 'invalid' });
    const replay = await h.stack.admin<{ error: { message: string } }>(
      'POST',
      `/admin/dead-letters/${letter.id}/replay`,
    );
    expect(replay.status).toBe(409);
    expect(replay.body.error.message).toMatch(/not JSON/);
  });

  it('replays a delivery onto its topic: sent once, and a second replay messages nobody again', async () => {
    const phoneNumberId = '1065550901';
    const botId = await h.bot({
      whatsapp: { phoneNumberId, accessToken: 'EAAG-test', messagesPerSecond: 1000 },
    });
    const runId = randomUUID();
    const contactId = randomUUID();
    const to = `1555091${String(Date.now() % 10_000).padStart(4, '0')}`;
    const delivery = {
      runId,
      botId,
      contactId,
      channel: 'whatsapp',
      to,
      messages,
      variables: {},
      attempt: 0,
    };
    await park(Topics.DeliveryRequestedWhatsapp, delivery, {
      key: contactId,
      class: 'transient',
      attempts: 9,
    });
    const [letter] = await listedWhen(`runId=${runId}`, 1);

    const replayed = await h.stack.admin<Detail>('POST', `/admin/dead-letters/${letter.id}/replay`);
    expect(replayed.status).toBe(202);
    expect(replayed.body).toMatchObject({
      id: letter.id,
      replays: 1,
      replayedAt: expect.any(String),
    });
    await eventually(
      async () => (await h.messages('whatsapp', to)).length === 1,
      'the replayed delivery to be sent',
    );

    expect(
      (await h.stack.admin<Detail>('POST', `/admin/dead-letters/${letter.id}/replay`)).body,
    ).toMatchObject({ replays: 2 });
    // A marker on the same partition (same key) after the second replay: once it is sent, the
    // second replay was consumed before it.
    const markerTo = `1555092${String(Date.now() % 10_000).padStart(4, '0')}`;
    await park(
      Topics.DeliveryRequestedWhatsapp,
      { ...delivery, contactId: randomUUID(), to: markerTo },
      { key: contactId },
    );
    const [, marker] = await listedWhen(`runId=${runId}`, 2).then((l) => l.reverse());
    expect((await h.stack.admin('POST', `/admin/dead-letters/${marker.id}/replay`)).status).toBe(
      202,
    );
    await eventually(
      async () => (await h.messages('whatsapp', markerTo)).length === 1,
      'the marker to be sent',
    );

    expect((await h.messages('whatsapp', to)).map((m) => m.count)).toEqual([1]);
    expect(await h.deliveries(runId)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ contact_id: contactId, status: 'sent', attempts: 1 }),
      ]),
    );
  });
});
