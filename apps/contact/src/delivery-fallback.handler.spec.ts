// Handler tier: DeliveryFallbackHandler inside the Kafka transport, with the real event
// validation, a fake RunOwnerCheck and a fake ResolveContactsService.
import { randomUUID } from 'node:crypto';
import { Topics, type DeliveryFallback, type TargetResolved } from '@herald/contracts';
import { ErrorCode } from '@herald/errors';
import { KafkaHandlerHarness } from '@herald/testing/kafka-handler';
import { DeliveryFallbackHandler, fallbackPageOf } from './delivery-fallback.handler.js';
import { ResolveContactsService } from './resolve-contacts.service.js';
import { RunOwnerCheck } from './run-owner.check.js';

const handedBack = (): DeliveryFallback => ({
  runId: randomUUID(),
  botId: randomUUID(),
  contactId: randomUUID(),
  channel: 'whatsapp',
  next: 'sms',
  phone: '+15550000001',
  messages: [{ text: 'Hello {{first_name}}' }],
  variables: { first_name: 'Ada' },
  code: '131026',
  reason: 'not a WhatsApp user',
  at: '2026-12-06T08:00:00.000Z',
});

describe('DeliveryFallbackHandler (handler tier)', () => {
  const pages: Array<{ page: TargetResolved; fallback: unknown }> = [];
  const checked: string[] = [];
  let harness: KafkaHandlerHarness;

  beforeAll(async () => {
    harness = await KafkaHandlerHarness.start({
      controllers: [DeliveryFallbackHandler],
      providers: [
        {
          provide: RunOwnerCheck,
          useValue: {
            check: async ({ runId }: { runId: string }) => {
              checked.push(runId);
            },
          },
        },
        {
          provide: ResolveContactsService,
          useValue: {
            handlePage: async (page: TargetResolved, fallback: unknown) => {
              pages.push({ page, fallback });
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
    pages.length = 0;
    checked.length = 0;
  });

  it('hands each person back to the page pipeline on the next channel, marked as a fallback', async () => {
    const event = handedBack();
    const handover = await harness.deliver(Topics.DeliveryFallback, [{ data: event }]);
    expect(checked).toEqual([event.runId]);
    expect(pages).toEqual([
      {
        page: {
          runId: event.runId,
          botId: event.botId,
          page: fallbackPageOf(event.runId, event.contactId),
          targets: [{ userId: '+15550000001', channel: 'sms', create: true }],
          messages: event.messages,
        },
        fallback: {
          from: {
            channel: 'whatsapp',
            contactId: event.contactId,
            code: '131026',
            reason: 'not a WhatsApp user',
          },
          variables: { first_name: 'Ada' },
        },
      },
    ]);
    expect(handover.deadLetters).toEqual([]);
  });

  it('refuses an invalid event as permanent: dead-lettered at once, nobody handed on', async () => {
    const handover = await harness.deliver(Topics.DeliveryFallback, [
      { data: { ...handedBack(), next: 'pigeon' } },
    ]);
    expect(checked).toEqual([]);
    expect(pages).toEqual([]);
    expect(handover.deadLetters).toEqual([
      expect.objectContaining({
        topic: 'delivery.fallback.v1.dlq',
        failureClass: 'invalid',
        code: ErrorCode.InvalidEvent,
        attempts: 1,
        reason: expect.stringContaining('next'),
      }),
    ]);
  });
});
