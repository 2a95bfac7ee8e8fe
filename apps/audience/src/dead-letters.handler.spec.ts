// Handler tier: DeadLettersHandler inside the Kafka transport with a fake ledger. It reads every
// DLQ raw: a dead letter is there because it may be no valid event at all, so nothing is refused.
import { ALL_TOPICS, Topics, dlqTopicOf } from '@herald/contracts';
import type { ConsumedEvent, RawValue } from '@herald/kafka';
import { KafkaHandlerHarness } from '@herald/testing/kafka-handler';
import { DeadLetterLedgerService } from './dead-letter-ledger.service.js';
import { DeadLettersHandler } from './dead-letters.handler.js';

describe('DeadLettersHandler (handler tier)', () => {
  const recorded: ConsumedEvent<RawValue>[][] = [];
  let harness: KafkaHandlerHarness;

  beforeAll(async () => {
    harness = await KafkaHandlerHarness.start({
      controllers: [DeadLettersHandler],
      providers: [
        {
          provide: DeadLetterLedgerService,
          useValue: {
            record: async (events: ConsumedEvent<RawValue>[]) => {
              recorded.push(events);
            },
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('reads the DLQ of every contract topic', () => {
    expect(harness.topics.sort()).toEqual(ALL_TOPICS.map((t) => dlqTopicOf(t)).sort());
  });

  it('hands records to the ledger as they are: bytes that are not JSON, no headers, a tombstone', async () => {
    const dlq = dlqTopicOf(Topics.TargetResolved);
    const handover = await harness.deliver(dlq, [
      { value: '{oops', headers: { herald_dlq_reason: 'invalid event: not JSON' } },
      { value: null, headers: {} },
    ]);
    expect(recorded).toHaveLength(1);
    const [first, second] = recorded[0];
    expect(first.data?.toString()).toBe('{oops');
    expect(first.headers).toEqual({ herald_dlq_reason: 'invalid event: not JSON' });
    expect(first.topic).toBe(dlq);
    expect(second.data).toBeNull();
    expect(handover).toEqual({ done: ['1'], deadLetters: [] });
  });
});
