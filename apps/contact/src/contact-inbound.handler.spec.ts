// Handler tier: ContactInboundHandler inside the Kafka transport, with the real event validation
// and a fake RecordInboundService.
import { Topics, type ContactInbound } from '@herald/contracts';
import { ErrorCode } from '@herald/errors';
import { KafkaHandlerHarness } from '@herald/testing/kafka-handler';
import { ContactInboundHandler } from './contact-inbound.handler.js';
import { RecordInboundService } from './record-inbound.service.js';

const stop: ContactInbound = {
  channel: 'sms',
  account: 'AC00000000000000000000000000000001',
  sender: '+15550000001',
  keyword: 'opt_out',
  at: '2026-12-06T08:00:00.000Z',
};
const start: ContactInbound = { ...stop, sender: '+15550000002', keyword: 'opt_in' };

describe('ContactInboundHandler (handler tier)', () => {
  const recorded: ContactInbound[][] = [];
  let harness: KafkaHandlerHarness;

  beforeAll(async () => {
    harness = await KafkaHandlerHarness.start({
      controllers: [ContactInboundHandler],
      providers: [
        {
          provide: RecordInboundService,
          useValue: {
            record: async (received: ContactInbound[]) => {
              recorded.push(received);
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
    recorded.length = 0;
  });

  it('hands a valid batch to the service as typed events, in order, and lets it go', async () => {
    const handover = await harness.deliver(Topics.ContactInbound, [
      { data: stop },
      { data: start },
    ]);
    expect(recorded).toEqual([[stop, start]]);
    expect(handover).toEqual({ done: ['1'], deadLetters: [] });
  });

  it('refuses an invalid event as permanent: dead-lettered at once, the service never sees it', async () => {
    const handover = await harness.deliver(Topics.ContactInbound, [
      { data: { ...stop, keyword: 'shout' } },
      { data: start },
    ]);
    expect(recorded).toEqual([[start]]);
    expect(handover.deadLetters).toEqual([
      expect.objectContaining({
        topic: 'contact.inbound.v1.dlq',
        offset: '2',
        failureClass: 'invalid',
        code: ErrorCode.InvalidEvent,
        attempts: 1,
        reason: expect.stringContaining('keyword'),
      }),
    ]);
    expect(handover.done).toEqual(['3']);
  });
});
