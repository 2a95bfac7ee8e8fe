// Handler tier: RunProgressHandler inside the Kafka transport, with the real event validation and
// fake run ledger and skip repositories.
import { randomUUID } from 'node:crypto';
import { Topics, type DeliveryResult } from '@herald/contracts';
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
});
