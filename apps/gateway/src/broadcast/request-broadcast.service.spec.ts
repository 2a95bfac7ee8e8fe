import { Topics } from '@herald/contracts';
import { ErrorCode, HeraldError } from '@herald/errors';
import type { EventPublisher } from '@herald/kafka';
import type { BotLookupService } from '../lookups/bot-lookup.service.js';
import { MAX_EVENT_BYTES, RequestBroadcastService } from './request-broadcast.service.js';

const BOT = '0b6f3a44-2f55-4b8e-9a6b-3c1f0f8e2a11';

function service(publish: EventPublisher['publish']) {
  const calls: unknown[][] = [];
  const publisher = { publish: (...args: unknown[]) => (calls.push(args), (publish as (...a: unknown[]) => Promise<void>)(...args)) } as unknown as EventPublisher;
  const lookup = { bot: async () => null } as unknown as BotLookupService;
  return { calls, requester: new RequestBroadcastService(publisher, lookup) };
}

describe('RequestBroadcastService', () => {
  it('publishes one BroadcastRequested keyed by its run id, with the delay as scheduledFor', async () => {
    const { calls, requester } = service(async () => undefined);
    const before = Date.now();
    const run = await requester.request({ botId: BOT, source: 'hook', content: { messages: [{ text: 'x' }] }, delayMinutes: 2 }, 'c1f0f8e2-2f55-4b8e-9a6b-3c1f0f8e2a11');
    expect(run.runId).toBe('c1f0f8e2-2f55-4b8e-9a6b-3c1f0f8e2a11');
    expect(Date.parse(run.scheduledFor)).toBeGreaterThanOrEqual(before + 120_000);
    expect(calls).toEqual([
      [Topics.BroadcastRequested, [{ key: run.runId, data: expect.objectContaining({ runId: run.runId, botId: BOT, scheduledFor: run.scheduledFor }) }]],
    ]);
  });

  it('refuses a request whose event would be too large, publishing nothing', async () => {
    const { calls, requester } = service(async () => undefined);
    const attempt = requester.request({ botId: BOT, source: 'hook', payload: { blob: 'x'.repeat(MAX_EVENT_BYTES) } });
    await expect(attempt).rejects.toMatchObject({ code: ErrorCode.PayloadTooLarge });
    expect(calls).toEqual([]);
  });

  it('turns a contract violation into a 400 and a Kafka failure into a retriable 503', async () => {
    const invalid = service(async () => {
      throw new HeraldError(ErrorCode.InvalidEvent, 'event 0 is not valid: /targets/0/userId too long', { retriable: false });
    });
    await expect(invalid.requester.request({ botId: BOT, source: 'hook' })).rejects.toMatchObject({ code: ErrorCode.InvalidInput, field: 'body' });
    const down = service(async () => {
      throw HeraldError.transient(ErrorCode.DependencyUnavailable, 'Kafka did not acknowledge');
    });
    await expect(down.requester.request({ botId: BOT, source: 'hook' })).rejects.toMatchObject({ code: ErrorCode.DependencyUnavailable, retriable: true });
  });
});
