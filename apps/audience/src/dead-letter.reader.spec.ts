import { randomUUID } from 'node:crypto';
import type { ConsumedEvent, RawValue } from '@herald/kafka';
import {
  MAX_STORED_VALUE_BYTES,
  classLabel,
  contractTopicOfDlq,
  failedRunReason,
  keptHeaders,
  readDeadLetter,
} from './dead-letter.reader.js';

function record(
  topic: string,
  value: RawValue,
  headers: Record<string, string> = {},
  key: string | null = 'k',
): ConsumedEvent<RawValue> {
  return {
    data: value,
    key,
    attributes: {
      id: '',
      type: '',
      source: '',
      specversion: '1.0',
      time: new Date().toISOString(),
    },
    headers,
    topic,
    partition: 2,
    offset: '17',
    timestamp: String(Date.now()),
  };
}

const dlqHeaders = {
  ce_id: 'event-1',
  herald_dlq_reason: 'insert failed: invalid input syntax',
  herald_dlq_topic: 'target.resolved.v1.retry.5s',
  herald_dlq_partition: '1',
  herald_dlq_offset: '42',
  herald_dlq_at: '2026-12-06T05:00:00.000Z',
  herald_dlq_code: '22P05',
  herald_dlq_class: 'permanent',
  herald_dlq_attempts: '4',
};

describe('readDeadLetter', () => {
  const runId = randomUUID();
  const botId = randomUUID();
  const contactId = randomUUID();

  it('stores where it came from, why, and the original headers without herald_dlq_* or secrets', () => {
    const value = JSON.stringify({ runId, botId, page: 0, targets: [{}, {}, {}] });
    const { letter, effect } = readDeadLetter(
      record('target.resolved.v1.dlq', Buffer.from(value), {
        ...dlqHeaders,
        Authorization: 'Bearer s3cret',
        'x-api-key': 'k',
        traceparent: 't',
      }),
      'pfx.',
    );
    expect(letter).toMatchObject({
      topicPrefix: 'pfx.',
      topic: 'target.resolved.v1',
      dlqPartition: 2,
      dlqOffset: '17',
      sourceTopic: 'target.resolved.v1.retry.5s',
      sourcePartition: 1,
      sourceOffset: '42',
      key: 'k',
      headers: { ce_id: 'event-1', traceparent: 't' },
      value,
      valueEncoding: 'utf8',
      valueBytes: Buffer.byteLength(value),
      valueTruncated: false,
      reason: 'insert failed: invalid input syntax',
      class: 'permanent',
      code: '22P05',
      attempts: 4,
      runId,
      botId,
      deadAt: new Date('2026-12-06T05:00:00.000Z'),
    });
    expect(effect).toEqual({ kind: 'fail-targets', runId, botId, targets: 3, page: 0 });
  });

  it('fails the run of a dead-lettered broadcast request, naming its bot and source', () => {
    const value = JSON.stringify({ runId, botId, source: 'hook', first_name: '\ud800' });
    expect(
      readDeadLetter(record('broadcast.requested.v1.dlq', Buffer.from(value), dlqHeaders), '')
        .effect,
    ).toEqual({
      kind: 'fail-run',
      runId,
      botId,
      broadcastId: null,
      source: 'hook',
    });
  });

  it('keys failed targets by the dead letter when the page has no usable number', () => {
    const value = JSON.stringify({ runId, botId, page: -1, targets: [{}] });
    expect(readDeadLetter(record('target.resolved.v1.dlq', Buffer.from(value)), '').effect).toEqual(
      { kind: 'fail-targets', runId, botId, targets: 1, page: null },
    );
  });

  it('fails the person of a dead-lettered delivery, on every channel', () => {
    for (const channel of ['whatsapp', 'sms', 'messenger']) {
      const value = JSON.stringify({ runId, botId, contactId, channel });
      expect(
        readDeadLetter(record(`delivery.requested.${channel}.v1.dlq`, Buffer.from(value)), '')
          .effect,
      ).toEqual({ kind: 'fail-contact', runId, botId, contactId });
    }
  });

  it('fails every person a dead-lettered batched delivery names, each once, on every channel', () => {
    const others = [randomUUID(), randomUUID().toUpperCase()];
    for (const channel of ['whatsapp', 'sms', 'messenger']) {
      const value = JSON.stringify({
        runId,
        botId,
        channel,
        messages: [{ text: 'Hi' }],
        recipients: [contactId, ...others, contactId, 'not-a-uuid'].map((id) => ({
          contactId: id,
          to: '+15550000001',
          variables: {},
        })),
      });
      const { letter, effect } = readDeadLetter(
        record(`delivery.requested.${channel}.v2.dlq`, Buffer.from(value), dlqHeaders, contactId),
        '',
      );
      expect(effect).toEqual({
        kind: 'fail-contacts',
        runId,
        botId,
        contactIds: [contactId, others[0], others[1].toLowerCase()],
      });
      expect(letter).toMatchObject({ topic: `delivery.requested.${channel}.v2`, runId, value });
    }
  });

  it('stores a batched delivery it cannot read with its reason, and counts nothing', () => {
    for (const value of [
      '{"runId": "broken',
      JSON.stringify({ runId, botId, recipients: 'everyone' }),
      JSON.stringify({ runId, botId, recipients: [{ to: '+15550000001' }] }),
      JSON.stringify({ runId, recipients: [{ contactId }] }),
    ]) {
      const { letter, effect } = readDeadLetter(
        record('delivery.requested.sms.v2.dlq', Buffer.from(value), dlqHeaders),
        '',
      );
      expect(effect).toEqual({ kind: 'none' });
      expect(letter).toMatchObject({
        topic: 'delivery.requested.sms.v2',
        value,
        reason: dlqHeaders.herald_dlq_reason,
      });
    }
  });

  it('only stores results, statuses and inbound messages, and values that name no run or are not JSON', () => {
    const named = Buffer.from(JSON.stringify({ runId, botId, contactId, status: 'sent' }));
    expect(readDeadLetter(record('delivery.result.v1.dlq', named), '').effect).toEqual({
      kind: 'none',
    });
    expect(readDeadLetter(record('contact.inbound.v1.dlq', named), '').effect).toEqual({
      kind: 'none',
    });
    expect(
      readDeadLetter(
        record('broadcast.requested.v1.dlq', Buffer.from('{"runId": "not-a-uuid"}')),
        '',
      ).effect,
    ).toEqual({ kind: 'none' });
    // Without the bot it names, no run is touched (the run's bot is checked against it).
    expect(
      readDeadLetter(
        record('delivery.requested.sms.v1.dlq', Buffer.from(JSON.stringify({ runId, contactId }))),
        '',
      ).effect,
    ).toEqual({ kind: 'none' });
    const notJson = readDeadLetter(record('broadcast.requested.v1.dlq', Buffer.from('{oops')), '');
    expect(notJson.effect).toEqual({ kind: 'none' });
    expect(notJson.letter).toMatchObject({
      value: '{oops',
      runId: null,
      botId: null,
      reason: null,
      class: null,
      attempts: null,
      sourceTopic: null,
    });
  });

  it('counts the people of a dead result as their result says, by the subjects the handler uses', () => {
    const other = randomUUID();
    const skipId = randomUUID();
    const value = JSON.stringify({
      runId,
      botId,
      results: [
        { contactId, status: 'sent', at: '2026-12-06T05:00:00.000Z' },
        { contactId: other, status: 'failed', at: '2026-12-06T05:00:00.000Z' },
        {
          id: skipId,
          recipient: '+15550000009',
          status: 'skipped',
          at: '2026-12-06T05:00:00.000Z',
        },
      ],
    });
    const { letter, effect } = readDeadLetter(
      record('delivery.result.v2.dlq', Buffer.from(value), dlqHeaders, runId),
      '',
    );
    expect(letter).toMatchObject({ topic: 'delivery.result.v2', runId, botId, key: runId, value });
    expect(effect).toEqual({
      kind: 'count-results',
      runId,
      botId,
      outcomes: [
        { runId, subject: contactId, status: 'sent' },
        { runId, subject: other, status: 'failed' },
        { runId, subject: `event:${skipId}`, status: 'skipped' },
      ],
    });

    // A one-result event: a skip without contact is counted by its own CloudEvents id.
    const one = JSON.stringify({
      runId,
      botId,
      recipient: 'x',
      status: 'skipped',
      at: '2026-12-06T05:00:00.000Z',
    });
    expect(
      readDeadLetter(record('delivery.result.v1.dlq', Buffer.from(one), dlqHeaders), '').effect,
    ).toEqual({
      kind: 'count-results',
      runId,
      botId,
      outcomes: [{ runId, subject: `event:${dlqHeaders.ce_id}`, status: 'skipped' }],
    });
  });

  it('counts nothing for the results of a dead record that their producer counted already', () => {
    const value = JSON.stringify({
      runId,
      botId,
      results: [
        { contactId, status: 'sent', counted: true, at: '2026-12-06T05:00:00.000Z' },
        { contactId, status: 'delivered', at: '2026-12-06T05:00:00.000Z' },
      ],
    });
    expect(
      readDeadLetter(record('delivery.result.v2.dlq', Buffer.from(value), dlqHeaders), '').effect,
    ).toEqual({
      kind: 'count-results',
      runId,
      botId,
      outcomes: [{ runId, subject: contactId, status: 'delivered' }],
    });
  });

  it('counts nothing for a dead result that breaks its schema', () => {
    const value = JSON.stringify({ runId, botId, results: [{ contactId, status: 'lost' }] });
    expect(
      readDeadLetter(record('delivery.result.v2.dlq', Buffer.from(value), dlqHeaders), '').effect,
    ).toEqual({ kind: 'none' });
  });

  it('keeps values PostgreSQL text cannot hold (NUL, invalid UTF-8) byte for byte as base64', () => {
    const bytes = Buffer.from([0x7b, 0x00, 0xed, 0xa0, 0x80, 0x7d]);
    const { letter } = readDeadLetter(record('delivery.result.v1.dlq', bytes), '');
    expect(letter).toMatchObject({ valueEncoding: 'base64', valueBytes: 6, valueTruncated: false });
    expect(Buffer.from(letter.value!, 'base64')).toEqual(bytes);
  });

  it('cuts a value beyond the cap and flags it', () => {
    const big = Buffer.alloc(MAX_STORED_VALUE_BYTES + 10, 0x61);
    const { letter, effect } = readDeadLetter(record('broadcast.requested.v1.dlq', big), '');
    expect(letter).toMatchObject({ valueTruncated: true, valueBytes: MAX_STORED_VALUE_BYTES + 10 });
    expect(Buffer.from(letter.value!, 'base64')).toHaveLength(MAX_STORED_VALUE_BYTES);
    expect(effect).toEqual({ kind: 'none' });
  });

  it('takes a tombstone, and drops NUL and lone surrogates from text', () => {
    const { letter } = readDeadLetter(
      record(
        'delivery.result.v1.dlq',
        null,
        { herald_dlq_reason: 'a\u0000b\ud800', herald_dlq_attempts: 'x' },
        null,
      ),
      '',
    );
    expect(letter).toMatchObject({
      value: null,
      valueBytes: 0,
      key: null,
      reason: 'ab\ufffd',
      attempts: null,
    });
  });
});

describe('dead-letter helpers', () => {
  it('names the contract topic of a DLQ', () => {
    expect(contractTopicOfDlq('delivery.requested.sms.v1.dlq')).toBe('delivery.requested.sms.v1');
    expect(contractTopicOfDlq('delivery.requested.sms.v1')).toBeNull();
    expect(contractTopicOfDlq('.dlq')).toBeNull();
  });

  it('bounds the class label', () => {
    expect(['permanent', 'transient', 'invalid', 'weird', null].map(classLabel)).toEqual([
      'permanent',
      'transient',
      'invalid',
      'unknown',
      'unknown',
    ]);
  });

  it('drops credential-like headers whatever their case', () => {
    expect(
      keptHeaders({
        AUTHORIZATION: 'a',
        'proxy-authorization': 'b',
        'x-auth-token': 'c',
        cookie: 'd',
        'x-hub-signature-256': 'e',
        ce_type: 't',
      }),
    ).toEqual({ ce_type: 't' });
  });

  it('tells a person what happened and what to do', () => {
    const reason = failedRunReason(
      '0b4a3c1e-1f2a-4b3c-8d4e-5f6a7b8c9d0e',
      'invalid event: /targets/0 must be object',
    );
    expect(reason).toContain('invalid event: /targets/0 must be object');
    expect(reason).toContain('GET /admin/dead-letters/0b4a3c1e-1f2a-4b3c-8d4e-5f6a7b8c9d0e');
    expect(reason).toMatch(/send it again/);
  });
});
