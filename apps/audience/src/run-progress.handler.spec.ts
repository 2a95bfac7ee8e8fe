// Handler tier: RunProgressHandler inside the Kafka transport, with the real event validation and
// fake run ledger and skip repositories.
import { randomUUID } from 'node:crypto';
import {
  MAX_BATCH_RECIPIENTS,
  Topics,
  resultBatches,
  type DeliveryResult,
  type DeliveryResultBatch,
} from '@herald/contracts';
import { ErrorCode } from '@herald/errors';
import { RunLedgerRepository, RunSkipRepository } from '@herald/persistence';
import { KafkaHandlerHarness } from '@herald/testing/kafka-handler';
import { RunProgressHandler } from './run-progress.handler.js';

const runId = randomUUID();
const result = (overrides: Partial<DeliveryResult>): DeliveryResult => ({
  runId,
  botId: randomUUID(),
  status: 'sent',
  at: '2026-12-06T08:00:00.000Z',
  ...overrides,
});

describe('RunProgressHandler (handler tier)', () => {
  const outcomes: unknown[][] = [];
  const skips: unknown[][] = [];
  let harness: KafkaHandlerHarness;

  beforeAll(async () => {
    harness = await KafkaHandlerHarness.start({
      controllers: [RunProgressHandler],
      providers: [
        {
          provide: RunLedgerRepository,
          useValue: {
            recordOutcomes: async (batch: unknown[]) => {
              outcomes.push(batch);
            },
          },
        },
        {
          provide: RunSkipRepository,
          useValue: {
            record: async (batch: unknown[]) => {
              skips.push(batch);
            },
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await harness.close();
  });

  beforeEach(() => {
    outcomes.length = 0;
    skips.length = 0;
  });

  it('folds a valid batch into one write of outcomes and one of skips', async () => {
    const contactId = randomUUID();
    const eventId = randomUUID();
    const handover = await harness.deliver(Topics.DeliveryResult, [
      { data: result({ contactId }) },
      {
        data: result({ status: 'skipped', recipient: 'nobody', reason: 'no such contact' }),
        attributes: { id: eventId },
      },
    ]);
    expect(outcomes).toEqual([
      [
        { runId, subject: contactId, status: 'sent' },
        { runId, subject: `event:${eventId}`, status: 'skipped' },
      ],
    ]);
    expect(skips).toEqual([
      [
        {
          runId,
          id: eventId,
          contactId: null,
          recipient: 'nobody',
          channel: null,
          reason: 'no such contact',
          at: new Date('2026-12-06T08:00:00.000Z'),
        },
      ],
    ]);
    expect(handover.deadLetters).toEqual([]);
  });

  it('refuses an invalid result as permanent: dead-lettered at once, counted nowhere', async () => {
    const handover = await harness.deliver(Topics.DeliveryResult, [
      { data: result({ status: 'lost' as DeliveryResult['status'] }) },
    ]);
    expect(outcomes).toEqual([]);
    expect(skips).toEqual([]);
    expect(handover.deadLetters).toEqual([
      expect.objectContaining({
        topic: 'delivery.result.v1.dlq',
        failureClass: 'invalid',
        code: ErrorCode.InvalidEvent,
        attempts: 1,
        reason: expect.stringContaining('status'),
      }),
    ]);
  });

  describe('batched results (delivery.result.v2)', () => {
    const botId = randomUUID();
    const batchOf = (results: DeliveryResultBatch['results']): DeliveryResultBatch => ({
      runId,
      botId,
      results,
    });

    it('folds every item of every record of a batch into one write of outcomes and one of skips', async () => {
      const [ada, bob] = [randomUUID(), randomUUID()];
      const skipId = randomUUID();
      const handover = await harness.deliver(Topics.DeliveryResultBatch, [
        {
          data: batchOf([
            { contactId: ada, channel: 'sms', status: 'sent', at: '2026-12-06T08:00:00.000Z' },
            {
              id: skipId,
              recipient: 'nobody',
              status: 'skipped',
              reason: 'no such contact',
              at: '2026-12-06T08:00:00.000Z',
            },
          ]),
        },
        {
          data: batchOf([
            { contactId: bob, status: 'failed', reason: 'no', at: '2026-12-06T08:00:00.000Z' },
            { contactId: ada, status: 'delivered', at: '2026-12-06T08:00:01.000Z' },
          ]),
        },
      ]);
      expect(outcomes).toEqual([
        [
          { runId, subject: ada, status: 'sent' },
          { runId, subject: `event:${skipId}`, status: 'skipped' },
          { runId, subject: bob, status: 'failed' },
          { runId, subject: ada, status: 'delivered' },
        ],
      ]);
      expect(skips).toEqual([
        [
          {
            runId,
            id: skipId,
            contactId: null,
            recipient: 'nobody',
            channel: null,
            reason: 'no such contact',
            at: new Date('2026-12-06T08:00:00.000Z'),
          },
        ],
      ]);
      expect(handover.deadLetters).toEqual([]);
    });

    it('counts a result by the same subject on v1 and v2, so one announced on each counts once', async () => {
      const contactId = randomUUID();
      const skipEventId = randomUUID();
      const sent = result({ runId, botId, contactId, status: 'sent' });
      const skipped = result({ runId, botId, contactId, status: 'skipped', reason: 'capped' });
      await harness.deliver(Topics.DeliveryResult, [
        { data: sent },
        { data: skipped, attributes: { id: skipEventId } },
      ]);
      const { runId: _r, botId: _b, ...sentItem } = sent;
      const { runId: _r2, botId: _b2, ...skippedItem } = skipped;
      await harness.deliver(Topics.DeliveryResultBatch, [
        { data: batchOf([sentItem, { ...skippedItem, id: skipEventId }]) },
      ]);
      expect(outcomes).toHaveLength(2);
      expect(outcomes[1]).toEqual(outcomes[0]);
      expect(outcomes[0]).toEqual([
        { runId, subject: contactId, status: 'sent' },
        { runId, subject: `event:${skipEventId}`, status: 'skipped' },
      ]);
      expect(skips[1]).toEqual(skips[0]);
    });

    it('names an item with neither id nor contact by its record and place: read again, the same subject', async () => {
      const record = batchOf([
        { recipient: 'a', status: 'skipped', at: '2026-12-06T08:00:00.000Z' },
        { recipient: 'b', status: 'skipped', at: '2026-12-06T08:00:00.000Z' },
      ]);
      const recordId = randomUUID();
      await harness.deliver(Topics.DeliveryResultBatch, [
        { data: record, attributes: { id: recordId } },
      ]);
      await harness.deliver(Topics.DeliveryResultBatch, [
        { data: record, attributes: { id: recordId } },
      ]);
      const subjects = outcomes.map((o) => o.map((x) => (x as { subject: string }).subject));
      expect(subjects[1]).toEqual(subjects[0]);
      expect(new Set(subjects[0]).size).toBe(2);
      for (const subject of subjects[0]) expect(subject).toMatch(/^event:[0-9a-f-]{36}$/);
      expect(skips[0].map((x) => (x as { id: string }).id)).toEqual(
        subjects[0].map((x) => x.slice('event:'.length)),
      );
      expect(skips[1]).toEqual(skips[0]);
    });

    it('reads records as the producers cut them: many runs, records of up to 1,000', async () => {
      const other = randomUUID();
      const results: DeliveryResult[] = [
        ...Array.from({ length: MAX_BATCH_RECIPIENTS + 5 }, () =>
          result({ runId, botId, contactId: randomUUID() }),
        ),
        result({ runId: other, botId, contactId: randomUUID() }),
      ];
      const records = resultBatches(results);
      expect(records.map((r) => [r.runId, r.results.length])).toEqual([
        [runId, MAX_BATCH_RECIPIENTS],
        [runId, 5],
        [other, 1],
      ]);
      const handover = await harness.deliver(
        Topics.DeliveryResultBatch,
        records.map((data) => ({ data, key: data.runId })),
      );
      expect(handover.deadLetters).toEqual([]);
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]).toEqual(
        results.map((r) => ({ runId: r.runId, subject: r.contactId, status: 'sent' })),
      );
    });

    it('refuses an invalid record as permanent: dead-lettered at once, none of its items counted', async () => {
      const handover = await harness.deliver(Topics.DeliveryResultBatch, [{ data: batchOf([]) }]);
      expect(outcomes).toEqual([]);
      expect(handover.deadLetters).toEqual([
        expect.objectContaining({
          topic: 'delivery.result.v2.dlq',
          failureClass: 'invalid',
          code: ErrorCode.InvalidEvent,
        }),
      ]);
    });
  });
});
