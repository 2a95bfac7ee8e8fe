import { randomUUID } from 'node:crypto';
import {
  CATALOG,
  Topics,
  newAttributes,
  parseEvent,
  toKafkaHeaders,
  validateEventData,
  type BroadcastRequested,
} from '@herald/contracts';

const valid: BroadcastRequested = {
  runId: randomUUID(),
  botId: randomUUID(),
  source: 'event',
  requestedAt: new Date().toISOString(),
  content: { messages: [{ text: 'Hello {{first_name}}' }] },
  targets: [
    { userId: '15551234567', channel: 'whatsapp', create: true, variables: { first_name: 'Ada' } },
  ],
};

const headersFor = (topic: keyof typeof CATALOG) =>
  toKafkaHeaders(newAttributes(CATALOG[topic].type, '/test'));

describe('event validation', () => {
  it('accepts a valid BroadcastRequested with its CloudEvents headers', () => {
    const parsed = parseEvent(
      Topics.BroadcastRequested,
      headersFor(Topics.BroadcastRequested),
      Buffer.from(JSON.stringify(valid)),
    );
    expect(parsed.ok).toBe(true);
  });

  it('names the field that breaks the schema', () => {
    const result = validateEventData(Topics.BroadcastRequested, { ...valid, runId: 'not-a-uuid' });
    expect(result).toEqual({
      ok: false,
      problem: expect.stringContaining('/runId must match format "uuid"'),
    });
  });

  it('refuses a value that is not JSON, and missing or foreign CloudEvents headers', () => {
    const headers = headersFor(Topics.BroadcastRequested);
    expect(parseEvent(Topics.BroadcastRequested, headers, Buffer.from('{oops'))).toEqual({
      ok: false,
      problem: expect.stringContaining('not JSON'),
    });
    expect(parseEvent(Topics.BroadcastRequested, {}, Buffer.from('{}'))).toEqual({
      ok: false,
      problem: expect.stringContaining('ce_id'),
    });
    expect(
      parseEvent(
        Topics.BroadcastRequested,
        headersFor(Topics.DeliveryResult),
        Buffer.from(JSON.stringify(valid)),
      ),
    ).toEqual({
      ok: false,
      problem: expect.stringContaining('does not belong on broadcast.requested.v1'),
    });
  });

  it('rejects an unknown criterion in an audience filter', () => {
    const result = validateEventData(Topics.BroadcastRequested, {
      ...valid,
      targets: undefined,
      audience: { filters: [{ field: 'color', criteria: 'Resembles', value: 'red' }] },
    });
    expect(result.ok).toBe(false);
  });
});
