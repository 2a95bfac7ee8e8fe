// Handler tier: BroadcastRequestedHandler inside the Kafka transport, with the real event
// validation, a fake AcceptRunService and a fake RunSchedulerService.
import { randomUUID } from 'node:crypto';
import { Topics, type BroadcastRequested } from '@herald/contracts';
import { ErrorCode } from '@herald/errors';
import { KafkaHandlerHarness } from '@herald/testing/kafka-handler';
import { AcceptRunService } from './accept-run.service.js';
import { BroadcastRequestedHandler } from './broadcast-requested.handler.js';
import { RunSchedulerService } from './run-scheduler.service.js';

const request = (): BroadcastRequested => ({
  runId: randomUUID(),
  botId: randomUUID(),
  source: 'event',
  requestedAt: '2026-12-06T08:00:00.000Z',
  content: { messages: [{ text: 'Hello {{first_name}}' }] },
  targets: [{ userId: '15550000001', channel: 'whatsapp', variables: { first_name: 'Ada' } }],
});

describe('BroadcastRequestedHandler (handler tier)', () => {
  const accepted: Array<{ request: BroadcastRequested; traceparent?: string }> = [];
  let kicks = 0;
  let harness: KafkaHandlerHarness;

  beforeAll(async () => {
    harness = await KafkaHandlerHarness.start({
      controllers: [BroadcastRequestedHandler],
      providers: [
        {
          provide: AcceptRunService,
          useValue: {
            accept: async (received: BroadcastRequested, traceparent?: string) => {
              accepted.push({ request: received, traceparent });
            },
          },
        },
        { provide: RunSchedulerService, useValue: { kick: () => (kicks += 1) } },
      ],
    });
  });

  afterAll(async () => {
    await harness.close();
  });

  beforeEach(() => {
    accepted.length = 0;
    kicks = 0;
  });

  it('accepts each valid request, with its trace, then looks for runs to claim once', async () => {
    const requests = [request(), request()];
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const handover = await harness.deliver(Topics.BroadcastRequested, [
      { data: requests[0], attributes: { traceparent } },
      { data: requests[1] },
    ]);
    expect(accepted).toEqual([
      { request: requests[0], traceparent },
      { request: requests[1], traceparent: undefined },
    ]);
    expect(kicks).toBe(1);
    expect(handover.deadLetters).toEqual([]);
  });

  it('refuses an invalid request as permanent: dead-lettered at once, no run accepted', async () => {
    const handover = await harness.deliver(Topics.BroadcastRequested, [
      { data: { ...request(), runId: 'not-a-uuid' } },
    ]);
    expect(accepted).toEqual([]);
    expect(kicks).toBe(0);
    expect(handover.deadLetters).toEqual([
      expect.objectContaining({
        topic: 'broadcast.requested.v1.dlq',
        failureClass: 'invalid',
        code: ErrorCode.InvalidEvent,
        attempts: 1,
        reason: expect.stringContaining('/runId'),
      }),
    ]);
  });

  it('refuses a value that is not JSON the same way', async () => {
    const handover = await harness.deliver(Topics.BroadcastRequested, [{ value: '{oops' }]);
    expect(accepted).toEqual([]);
    expect(handover.deadLetters).toEqual([
      expect.objectContaining({ failureClass: 'invalid', value: '{oops' }),
    ]);
  });
});
