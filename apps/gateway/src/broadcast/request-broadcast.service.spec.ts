import { INPUT_LIMITS, Topics } from '@herald/contracts';
import { ErrorCode, HeraldError } from '@herald/errors';
import type { EventPublisher } from '@herald/kafka';
import type { BotLookupService } from '../lookups/bot-lookup.service.js';
import { MAX_EVENT_BYTES, RequestBroadcastService } from './request-broadcast.service.js';

const BOT = '0b6f3a44-2f55-4b8e-9a6b-3c1f0f8e2a11';

function service(publish: EventPublisher['publish']) {
  const calls: unknown[][] = [];
  const publisher = {
    publish: (...args: unknown[]) => (
      calls.push(args),
      (publish as (...a: unknown[]) => Promise<void>)(...args)
    ),
  } as unknown as EventPublisher;
  const lookup = { bot: async () => null } as unknown as BotLookupService;
  return { calls, requester: new RequestBroadcastService(publisher, lookup) };
}

describe('RequestBroadcastService', () => {
  it('publishes one BroadcastRequested keyed by its run id, with the delay as scheduledFor', async () => {
    const { calls, requester } = service(async () => undefined);
    const before = Date.now();
    const run = await requester.request(
      { botId: BOT, source: 'hook', content: { messages: [{ text: 'x' }] }, delayMinutes: 2 },
      'c1f0f8e2-2f55-4b8e-9a6b-3c1f0f8e2a11',
    );
    expect(run.runId).toBe('c1f0f8e2-2f55-4b8e-9a6b-3c1f0f8e2a11');
    expect(Date.parse(run.scheduledFor)).toBeGreaterThanOrEqual(before + 120_000);
    expect(calls).toEqual([
      [
        Topics.BroadcastRequested,
        [
          {
            key: run.runId,
            data: expect.objectContaining({
              runId: run.runId,
              botId: BOT,
              scheduledFor: run.scheduledFor,
            }),
            json: expect.any(String),
          },
        ],
      ],
    ]);
    // The JSON measured for the size limits goes out as the record's value: it is the data's.
    const [[, [published]]] = calls as Array<[string, Array<{ data: unknown; json: string }>]>;
    expect(JSON.parse(published.json)).toEqual(published.data);
  });

  it('refuses a request whose event would be too large, publishing nothing', async () => {
    const { calls, requester } = service(async () => undefined);
    // Each target within the variable limits, all of them together past the event's size.
    const targets = Array.from({ length: Math.ceil(MAX_EVENT_BYTES / 4_000) + 1 }, (_, i) => ({
      userId: `u${i}`,
      variables: { note: 'x'.repeat(4_000) },
    }));
    const attempt = requester.request({ botId: BOT, source: 'hook', targets });
    await expect(attempt).rejects.toMatchObject({ code: ErrorCode.PayloadTooLarge });
    expect(calls).toEqual([]);
  });

  it('refuses a payload over its documented limit with a 400 naming the payload, publishing nothing', async () => {
    const { calls, requester } = service(async () => undefined);
    const attempt = requester.request({
      botId: BOT,
      source: 'hook',
      payload: { blob: 'x'.repeat(INPUT_LIMITS.payloadBytes) },
    });
    await expect(attempt).rejects.toMatchObject({ code: ErrorCode.InvalidInput, field: 'payload' });
    expect(calls).toEqual([]);
  });

  it('refuses a lone surrogate or NUL anywhere in the request, and too many or too long variables, naming the field', async () => {
    const { calls, requester } = service(async () => undefined);
    const refused = (input: Partial<Parameters<typeof requester.request>[0]>) =>
      requester.request({ botId: BOT, source: 'hook', ...input }).then(
        () => undefined,
        (error: { code: string; field?: string; message: string }) => ({
          code: error.code,
          field: error.field,
          message: error.message,
        }),
      );
    expect(
      await refused({ targets: [{ userId: '1', variables: { first_name: '\ud800' } }] }),
    ).toMatchObject({
      code: ErrorCode.InvalidInput,
      field: 'request.targets[0].variables.first_name',
      message: expect.stringContaining('lone UTF-16 surrogate'),
    });
    expect(await refused({ setVariables: { ['a\u0000']: 'x' } })).toMatchObject({
      field: 'request.setVariables',
      message: expect.stringContaining('NUL'),
    });
    const many = Object.fromEntries(
      Array.from({ length: INPUT_LIMITS.variables + 1 }, (_, i) => [`v${i}`, 'x']),
    );
    expect(
      await refused({ targets: [{ userId: '1' }, { userId: '2', variables: many }] }),
    ).toMatchObject({ field: 'targets[1]' });
    expect(
      await refused({ setVariables: { note: 'x'.repeat(INPUT_LIMITS.variableValue + 1) } }),
    ).toMatchObject({ field: 'set_variables.note' });
    expect(calls).toEqual([]);
  });

  it('turns a contract violation into a 400 and a Kafka failure into a retriable 503', async () => {
    const invalid = service(async () => {
      throw new HeraldError(
        ErrorCode.InvalidEvent,
        'event 0 is not valid: /targets/0/userId too long',
        { retriable: false },
      );
    });
    await expect(invalid.requester.request({ botId: BOT, source: 'hook' })).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      field: 'body',
    });
    const down = service(async () => {
      throw HeraldError.transient(ErrorCode.DependencyUnavailable, 'Kafka did not acknowledge');
    });
    await expect(down.requester.request({ botId: BOT, source: 'hook' })).rejects.toMatchObject({
      code: ErrorCode.DependencyUnavailable,
      retriable: true,
    });
  });
});
