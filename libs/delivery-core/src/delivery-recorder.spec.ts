// DeliveryRecorder with fake rows and a fake publisher: what one flush publishes as results.
import { afterEach, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  MAX_BATCH_RECIPIENTS,
  Topics,
  resultsOf,
  type DeliveryRequested,
  type DeliveryResultBatch,
} from '@herald/contracts';
import type { EventPublisher, OutgoingEvent } from '@herald/kafka';
import type { DeliveryRepository, ParkedDelivery } from '@herald/persistence';
import { DeliveryRecorder, type Outcome } from './delivery-recorder.js';
import type { DeliveryMetrics } from './delivery.metrics.js';
import { RetrySchedule } from './retry-schedule.js';

const botId = randomUUID();
const request = (runId: string): DeliveryRequested => ({
  runId,
  botId,
  contactId: randomUUID(),
  channel: 'sms',
  to: '+15550100001',
  messages: [{ text: 'Hello' }],
  variables: {},
  attempt: 0,
});

function recorder(
  options: {
    markSent?: () => Promise<void>;
    park?: (rows: ParkedDelivery[]) => Promise<void>;
    shuttingDown?: AbortSignal;
  } = {},
) {
  const steps: string[] = [];
  const records: Array<OutgoingEvent<DeliveryResultBatch>> = [];
  const counted: string[] = [];
  const retried: DeliveryRequested[] = [];
  const rows = async () => {
    steps.push('rows');
  };
  const deliveries = {
    markSent: options.markSent ?? rows,
    markFailed: rows,
    markFellBack: rows,
    markPending: rows,
    release: rows,
    park: options.park ?? rows,
  } as unknown as DeliveryRepository;
  const publisher = {
    publish: async (topic: string, events: OutgoingEvent<DeliveryResultBatch>[]) => {
      steps.push(`publish ${topic}`);
      if (topic === Topics.DeliveryResultBatch) records.push(...events);
    },
    publishRetry: async (topic: string, events: OutgoingEvent<DeliveryRequested>[]) => {
      steps.push(`retry ${topic}`);
      retried.push(...events.map((e) => e.data));
    },
    publishDeadLetters: async () => undefined,
  } as unknown as EventPublisher;
  const metrics = {
    published: (results: Array<{ status: string }>) => {
      for (const { status } of results) counted.push(status);
    },
    recordRetried: () => counted.push('record retried'),
  } as unknown as DeliveryMetrics;
  const recorder = new DeliveryRecorder(
    deliveries,
    publisher,
    new RetrySchedule(),
    () => undefined,
    metrics,
    options.shuttingDown,
  );
  return { recorder, steps, records, counted, retried };
}

describe('DeliveryRecorder results', () => {
  it('publishes the results of a flush as one delivery.result.v2 record per run, keyed by run, after the rows', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const { recorder: r, steps, records, counted } = recorder();
    const outcomes: Outcome[] = [
      { kind: 'sent', request: request(a), providerMessageId: 'm1' },
      { kind: 'failed', request: request(b), code: 'X', reason: 'refused' },
      { kind: 'sent', request: request(a), providerMessageId: 'm2', segments: 2 },
      {
        kind: 'settled',
        request: request(b),
        state: {
          runId: b,
          contactId: randomUUID(),
          botId,
          status: 'delivered',
          providerMessageId: 'm0',
          reason: null,
          code: null,
          segments: null,
        },
      },
    ];
    for (const outcome of outcomes) r.add(outcome);
    await r.close();

    expect(steps.indexOf(`publish ${Topics.DeliveryResultBatch}`)).toBeGreaterThan(
      steps.lastIndexOf('rows'),
    );
    expect(records.map((e) => [e.key, e.data.runId, e.data.results.map((x) => x.status)])).toEqual([
      [a, a, ['sent', 'sent']],
      // The settled row is announced again (sent, then delivered), after this flush's own results.
      [b, b, ['failed', 'sent', 'delivered']],
    ]);
    const [ofA] = records;
    expect(resultsOf(ofA.data)).toEqual([
      expect.objectContaining({
        runId: a,
        botId,
        contactId: outcomes[0].request.contactId,
        providerMessageId: 'm1',
      }),
      expect.objectContaining({ contactId: outcomes[2].request.contactId, segments: 2 }),
    ]);
    // Counted per person, not per record; results announced again are not counted again.
    expect(counted).toEqual(['sent', 'failed', 'sent']);
    // Sent and failed were counted in the run as their rows moved; delivered is the ledger's.
    expect(records.flatMap((e) => e.data.results.map((x) => [x.status, x.counted]))).toEqual([
      ['sent', true],
      ['sent', true],
      ['failed', true],
      ['sent', true],
      ['delivered', undefined],
    ]);
  });

  it("frees each outcome's send slot once its rows are written, before its events", async () => {
    let finishRows!: () => void;
    const rowsDone = new Promise<void>((resolve) => (finishRows = resolve));
    const { recorder: r, steps } = recorder({ markSent: () => rowsDone });
    r.add({ kind: 'sent', request: request(randomUUID()), providerMessageId: 'm1' }, () =>
      steps.push('freed 1'),
    );
    r.add({ kind: 'failed', request: request(randomUUID()), code: 'X', reason: 'no' }, () =>
      steps.push('freed 2'),
    );
    const closed = r.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(steps.filter((s) => s.startsWith('freed'))).toEqual([]);
    finishRows();
    await closed;
    const firstPublish = steps.findIndex((s) => s.startsWith('publish'));
    expect(steps.indexOf('freed 1')).toBeGreaterThan(steps.lastIndexOf('rows'));
    expect(steps.slice(steps.indexOf('freed 1'), firstPublish)).toEqual(['freed 1', 'freed 2']);
  });

  it('writes at once when hurried with a quarter of a flush buffered, and not for fewer', async () => {
    let writes = 0;
    const { recorder: r } = recorder({
      markSent: async () => {
        writes += 1;
      },
    });
    const runId = randomUUID();
    const add = (n: number) => {
      for (let i = 0; i < n; i++)
        r.add({ kind: 'sent', request: request(runId), providerMessageId: `m${i}` });
    };
    add(49);
    r.hurry();
    // A write of a few rows would cost more than waiting for FLUSH_MS.
    expect(writes).toBe(0);
    add(1);
    r.hurry();
    expect(writes).toBe(1);
    await r.close();
    expect(writes).toBe(1);
  });

  it('parks a person behind their pacing queue with the event that will send the rest, and announces nothing for them', async () => {
    const parked: ParkedDelivery[] = [];
    const {
      recorder: r,
      records,
      counted,
    } = recorder({
      park: async (rows) => {
        parked.push(...rows);
      },
    });
    const waiting = { ...request(randomUUID()), messages: [{ text: 'one' }, { text: 'two' }] };
    const park = {
      topicPrefix: 'blue-',
      paceKey: 'sms:AC1:+15550001',
      intervalMs: 500,
      waitMs: 12_000,
      code: 'PACED',
      reason: 'parked',
    };
    r.add({ kind: 'parked', request: waiting, sentMessages: 1, park });
    await r.close();
    expect(parked).toEqual([
      {
        runId: waiting.runId,
        contactId: waiting.contactId,
        channel: 'sms',
        ...park,
        event: { ...waiting, sentMessages: 1 },
      },
    ]);
    expect(records).toEqual([]);
    expect(counted).toEqual([]);
  });

  it('sends a retry of a person released from parking back to the queue (without their release)', async () => {
    const { recorder: r, retried } = recorder();
    const released = { ...request(randomUUID()), pacedUntil: new Date().toISOString() };
    r.add({ kind: 'retry', request: released, code: '20500', reason: '5xx', sentMessages: 0 });
    await r.close();
    expect(retried).toHaveLength(1);
    expect(retried[0]).toMatchObject({ contactId: released.contactId, attempt: 1 });
    expect(retried[0]).not.toHaveProperty('pacedUntil');
  });

  it('publishes every result of a long run once, in records of at most MAX_BATCH_RECIPIENTS', async () => {
    const runId = randomUUID();
    const { recorder: r, records, counted } = recorder();
    const total = MAX_BATCH_RECIPIENTS + 10;
    for (let i = 0; i < total; i++)
      r.add({ kind: 'sent', request: request(runId), providerMessageId: `m${i}` });
    await r.close();
    // Flushes hold up to 200 outcomes: every record is within the limit and each person is in one.
    expect(records.every((e) => e.key === runId)).toBe(true);
    expect(records.every((e) => e.data.results.length <= MAX_BATCH_RECIPIENTS)).toBe(true);
    expect(records.reduce((n, e) => n + e.data.results.length, 0)).toBe(total);
    expect(counted).toHaveLength(total);
  });
});

describe('DeliveryRecorder through a database that fails', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  /** markSent failing `times` times with `error`, then working; counts its calls. */
  function failing(times: number, error: Error) {
    let calls = 0;
    return {
      markSent: async () => {
        calls += 1;
        if (calls <= times) throw error;
      },
      calls: () => calls,
    };
  }
  const down = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const refused = () =>
    Object.assign(new Error('query failed'), {
      name: 'QueryFailedError',
      driverError: Object.assign(new Error('invalid byte sequence'), { code: '22021' }),
    });

  /** Closes the recorder while fake time runs on; resolves to what close() did. */
  async function closeThrough(r: DeliveryRecorder): Promise<{ error?: unknown }> {
    let settled: { error?: unknown } | undefined;
    r.close().then(
      () => (settled = {}),
      (error: unknown) => (settled = { error }),
    );
    for (let i = 0; i < 200 && !settled; i++) await jest.advanceTimersByTimeAsync(1_000);
    return settled ?? { error: new Error('close() never settled') };
  }

  it('keeps recording what was sent through an outage longer than its tries, then publishes it', async () => {
    jest.useFakeTimers();
    const db = failing(20, down());
    const { recorder: r, records, counted } = recorder({ markSent: db.markSent });
    r.add({ kind: 'sent', request: request(randomUUID()), providerMessageId: 'm1' });
    expect(await closeThrough(r)).toEqual({});
    // Twenty failures (well past the five tries other failures get), then recorded once.
    expect(db.calls()).toBe(21);
    expect(counted.filter((c) => c === 'record retried')).toHaveLength(20);
    expect(records.flatMap((e) => e.data.results.map((x) => x.status))).toEqual(['sent']);
  });

  it('gives up after its tries on a failure that is not an outage', async () => {
    jest.useFakeTimers();
    const db = failing(20, refused());
    const { recorder: r, records } = recorder({ markSent: db.markSent });
    let freed = 0;
    r.add({ kind: 'sent', request: request(randomUUID()), providerMessageId: 'm1' }, () => {
      freed += 1;
    });
    expect((await closeThrough(r)).error).toBeDefined();
    expect(db.calls()).toBe(5);
    expect(records).toEqual([]);
    // Its send's slot is free again: the batch fails, and its row's lease decides what comes next.
    expect(freed).toBe(1);
  });

  it('gives up after its tries on an outage once the service is shutting down', async () => {
    jest.useFakeTimers();
    const db = failing(20, down());
    const stop = new AbortController();
    stop.abort();
    const { recorder: r } = recorder({ markSent: db.markSent, shuttingDown: stop.signal });
    r.add({ kind: 'sent', request: request(randomUUID()), providerMessageId: 'm1' });
    expect((await closeThrough(r)).error).toBeDefined();
    expect(db.calls()).toBe(5);
  });
});
