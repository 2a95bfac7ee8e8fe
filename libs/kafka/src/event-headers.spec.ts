import { CATALOG, Topics, parseEvent } from '@herald/contracts';
import {
  DLQ_HEADERS,
  approximateSize,
  baseTopicOf,
  deadLetterHeaders,
  eventHeaders,
  stringHeaders,
} from './event-headers.js';

describe('event headers', () => {
  it('adds the CloudEvents binary-mode headers, which win over caller headers', () => {
    const headers = eventHeaders(Topics.DeliveryResult, 'delivery-sms', {
      id: 'evt-1',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      headers: { ce_type: 'spoofed', x_tenant: 'acme' },
    });
    expect(headers).toEqual({
      ce_id: 'evt-1',
      ce_type: CATALOG[Topics.DeliveryResult].type,
      ce_source: '/herald/delivery-sms',
      ce_specversion: '1.0',
      ce_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      'content-type': 'application/json',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      x_tenant: 'acme',
    });
  });

  it('gives each event a fresh id when none is given, and parses back as a valid event', () => {
    const a = eventHeaders(Topics.DeliveryResult, 'gateway', {});
    const b = eventHeaders(Topics.DeliveryResult, 'gateway', {});
    expect(a.ce_id).not.toEqual(b.ce_id);
    expect(a).not.toHaveProperty('traceparent');
    const data = {
      runId: crypto.randomUUID(),
      botId: crypto.randomUUID(),
      status: 'sent',
      at: new Date().toISOString(),
    };
    expect(parseEvent(Topics.DeliveryResult, a, Buffer.from(JSON.stringify(data)))).toMatchObject({
      ok: true,
      data,
    });
  });

  it('reads kafkajs headers as strings, the first of a repeated one', () => {
    expect(
      stringHeaders({ a: Buffer.from('x'), b: ['1', Buffer.from('2')], c: undefined, d: 'y' }),
    ).toEqual({ a: 'x', b: '1', d: 'y' });
    expect(stringHeaders(undefined)).toEqual({});
  });

  it('dead-letter headers keep the originals and say why and where from', () => {
    const at = new Date('2025-01-02T03:04:05.000Z');
    const headers = deadLetterHeaders(
      { ce_id: 'e1' },
      {
        reason: 'invalid event: /runId must match format "uuid"',
        topic: 'delivery.result.v1',
        partition: 4,
        offset: '17',
        at,
        code: 'INVALID_EVENT',
      },
    );
    expect(headers).toEqual({
      ce_id: 'e1',
      [DLQ_HEADERS.reason]: 'invalid event: /runId must match format "uuid"',
      [DLQ_HEADERS.topic]: 'delivery.result.v1',
      [DLQ_HEADERS.partition]: '4',
      [DLQ_HEADERS.offset]: '17',
      [DLQ_HEADERS.at]: '2025-01-02T03:04:05.000Z',
      [DLQ_HEADERS.code]: 'INVALID_EVENT',
    });
    const long = deadLetterHeaders(
      {},
      { reason: 'x'.repeat(10_000), topic: 't', partition: 0, offset: '0' },
    );
    expect(long[DLQ_HEADERS.reason].length).toBeLessThan(2_100);
  });

  it('maps retry topics to their contract topic', () => {
    expect(baseTopicOf('delivery.requested.sms.v1.retry.30s')).toBe('delivery.requested.sms.v1');
    expect(baseTopicOf('delivery.requested.sms.v1')).toBe('delivery.requested.sms.v1');
    expect(baseTopicOf('delivery.requested.sms.v1.dlq')).toBe('delivery.requested.sms.v1.dlq');
  });

  it('estimates a message size from key, value and headers', () => {
    expect(
      approximateSize({ key: 'k', value: 'v'.repeat(100), headers: { h: 'x' } }),
    ).toBeGreaterThan(100);
    expect(approximateSize({ value: null })).toBeGreaterThan(0);
  });
});
