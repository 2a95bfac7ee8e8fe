import { randomUUID } from 'node:crypto';
import type { DeliveryResultBatch } from '@herald/contracts';
import { countedResults, subjectOf } from './result-subjects.js';

const runId = randomUUID();
const botId = randomUUID();
const at = '2026-12-06T10:00:00.000Z';

describe('what a run counts a v2 result by', () => {
  const contactId = randomUUID();
  const skipId = randomUUID();
  const batch: DeliveryResultBatch = {
    runId,
    botId,
    results: [
      { contactId, channel: 'sms', status: 'sent', at },
      { id: skipId, contactId, status: 'skipped', reason: 'opted out', at },
      { recipient: '+15550000000', status: 'failed', at },
      { recipient: '+15550000001', status: 'failed', at },
    ],
  };

  it('counts a result about a contact by the contact, a skip by its id', () => {
    const subjects = countedResults(batch, randomUUID()).map(subjectOf);
    expect(subjects[0]).toBe(contactId);
    expect(subjects[1]).toBe(`event:${skipId}`);
  });

  it('names an item with neither id nor contact by its place in its record, the same on every read', () => {
    const recordId = randomUUID();
    const first = countedResults(batch, recordId).map(subjectOf);
    const again = countedResults(batch, recordId).map(subjectOf);
    expect(again).toEqual(first);
    expect(first[2]).toMatch(
      /^event:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(first[3]).not.toBe(first[2]);
    // Another record's items are other results.
    expect(countedResults(batch, randomUUID()).map(subjectOf)[2]).not.toBe(first[2]);
  });

  it('gives every result its run and bot', () => {
    for (const { result } of countedResults(batch, randomUUID()))
      expect(result).toMatchObject({ runId, botId });
  });
});
