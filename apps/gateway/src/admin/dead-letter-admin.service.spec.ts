import { HeraldError } from '@herald/errors';
import type { DeadLetterDetail } from '@herald/persistence';
import { DeadLetterAdminService, detailView } from './dead-letter-admin.service.js';

function letter(overrides: Partial<DeadLetterDetail> = {}): DeadLetterDetail {
  return {
    id: '6f1c2a4e-3b5d-4e7f-9a1b-2c3d4e5f6a7b',
    topic: 'delivery.requested.messenger.v1',
    sourceTopic: 'delivery.requested.messenger.v1.retry.5s',
    reason: 'gave up',
    class: 'transient',
    code: null,
    attempts: 4,
    runId: null,
    botId: null,
    key: 'k',
    deadAt: null,
    createdAt: new Date('2026-12-06T05:00:00Z'),
    replayedAt: null,
    replays: 0,
    dlqPartition: 1,
    dlqOffset: '9',
    sourcePartition: 0,
    sourceOffset: '3',
    headers: { ce_id: 'x' },
    value: JSON.stringify({
      to: 'psid',
      oneTimeNotifToken: 'secret-token',
      messages: [{ text: 'hi' }],
    }),
    valueEncoding: 'utf8',
    valueBytes: 80,
    valueTruncated: false,
    ...overrides,
  };
}

describe('dead letters as the admin API shows them', () => {
  it('shows JSON values parsed, with secret-named fields redacted, and when it was stored if the record did not say', () => {
    const view = detailView(letter());
    expect(view).toMatchObject({
      at: new Date('2026-12-06T05:00:00Z'),
      dlq: { topic: 'delivery.requested.messenger.v1.dlq', partition: 1, offset: '9' },
      source: { topic: 'delivery.requested.messenger.v1.retry.5s', partition: 0, offset: '3' },
      valueEncoding: 'json',
      value: { to: 'psid', oneTimeNotifToken: '[redacted]', messages: [{ text: 'hi' }] },
    });
    expect(JSON.stringify(view)).not.toContain('secret-token');
  });

  it('shows other values as the text or bytes they are', () => {
    expect(detailView(letter({ value: 'not json' }))).toMatchObject({
      value: 'not json',
      valueEncoding: 'utf8',
    });
    expect(detailView(letter({ value: 'AAE=', valueEncoding: 'base64' }))).toMatchObject({
      value: 'AAE=',
      valueEncoding: 'base64',
    });
    expect(detailView(letter({ value: null }))).toMatchObject({
      value: null,
      valueEncoding: 'none',
    });
  });

  it('refuses filters that are not a contract topic or not UUIDs, naming the field', async () => {
    const service = new DeadLetterAdminService(
      { HERALD_TOPIC_PREFIX: '' } as never,
      { page: () => Promise.resolve([]) } as never,
      {} as never,
    );
    for (const [query, field] of [
      [{ topic: 'delivery.result.v1.dlq' }, 'topic'],
      [{ botId: 'abc' }, 'botId'],
      [{ runId: '1' }, 'runId'],
    ] as const) {
      const refused = await service.list(query, null, 10).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(HeraldError);
      expect(refused).toMatchObject({ field });
    }
    await expect(service.list({ topic: 'delivery.result.v1' }, null, 10)).resolves.toEqual({
      items: [],
      nextCursor: null,
    });
  });
});
