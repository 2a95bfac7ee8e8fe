import { randomUUID } from 'node:crypto';
import type { DeliveryResultBatch } from '@herald/contracts';
import { ledgerResults, subjectOf } from './result-subjects.js';

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
    const subjects = ledgerResults(batch, randomUUID()).map(subjectOf);
    expect(subjects[0]).toBe(contactId);
    expect(subjects[1]).toBe(`event:${skipId}`);
  });

  it('names an item with neither id nor contact by its place in its record, the same on every read', () => {
    const recordId = randomUUID();
    const first = ledgerResults(batch, recordId).map(subjectOf);
    const again = ledgerResults(batch, recordId).map(subjectOf);
    expect(again).toEqual(first);
    expect(first[2]).toMatch(
      /^event:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(first[3]).not.toBe(first[2]);
    // Another record's items are other results.
    expect(ledgerResults(batch, randomUUID()).map(subjectOf)[2]).not.toBe(first[2]);
  });

  it('gives every result its run and bot', () => {
    for (const { result } of ledgerResults(batch, randomUUID()))
      expect(result).toMatchObject({ runId, botId });
  });

  it('passes over results their producer counted, and names the rest by their place in the whole record', () => {
    const recordId = randomUUID();
    const mixed: DeliveryResultBatch = {
      ...batch,
      results: [
        { contactId: randomUUID(), channel: 'sms', status: 'sent', at, counted: true },
        { recipient: '+15550000000', status: 'failed', at, counted: true },
        ...batch.results,
      ],
    };
    const subjects = ledgerResults(mixed, recordId).map(subjectOf);
    expect(subjects).toHaveLength(batch.results.length);
    expect(subjects[0]).toBe(contactId);
    // Third item of `batch`, fifth of the record: its place in the record names it.
    expect(subjects[2]).not.toBe(ledgerResults(batch, recordId).map(subjectOf)[2]);
    const shifted: DeliveryResultBatch = {
      ...batch,
      results: [
        ...mixed.results.slice(0, 2).map((r) => ({ ...r, counted: false })),
        ...batch.results,
      ],
    };
    expect(ledgerResults(shifted, recordId).map(subjectOf)[4]).toBe(subjects[2]);
  });
});
