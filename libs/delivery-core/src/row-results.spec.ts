import { resultsOfRow } from './row-results.js';

const base = {
  runId: '00000000-0000-4000-8000-000000000001',
  botId: '00000000-0000-4000-8000-000000000002',
  contactId: '00000000-0000-4000-8000-000000000003',
  channel: 'sms' as const,
  at: '2026-12-06T08:00:00.000Z',
};
const row = { providerMessageId: 'SM1', reason: null, code: null, segments: 2 };

describe('resultsOfRow', () => {
  it('announces a row again from its send: sent, then what the provider reported', () => {
    expect(resultsOfRow({ ...row, status: 'read' }, base, 'send').map((r) => r.status)).toEqual([
      'sent',
      'delivered',
      'read',
    ]);
    expect(resultsOfRow({ ...row, status: 'sent' }, base, 'send')).toEqual([
      { ...base, status: 'sent', providerMessageId: 'SM1', segments: 2, counted: true },
    ]);
  });

  it('says sent and failed were counted when the row moved, and leaves delivered and read to the ledger', () => {
    const counted = (status: 'read' | 'failed') =>
      Object.fromEntries(
        resultsOfRow({ ...row, status }, base, 'send').map((r) => [r.status, r.counted ?? false]),
      );
    expect(counted('read')).toEqual({ sent: true, delivered: false, read: false });
    expect(counted('failed')).toEqual({ failed: true });
  });

  it('announces what a provider reported without the send already announced', () => {
    expect(resultsOfRow({ ...row, status: 'read' }, base, 'provider').map((r) => r.status)).toEqual(
      ['delivered', 'read'],
    );
    expect(resultsOfRow({ ...row, status: 'sent' }, base, 'provider')).toEqual([]);
  });

  it('announces a failed row as failed alone, its reason and code cut to the contract', () => {
    const [failed, ...rest] = resultsOfRow(
      { ...row, status: 'failed', reason: 'x'.repeat(2000), code: 'C'.repeat(100) },
      base,
      'send',
    );
    expect(rest).toEqual([]);
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed.reason).toHaveLength(1000);
    expect(failed.code).toHaveLength(64);
  });

  it('stands for nothing while the row is not sent', () => {
    for (const status of ['pending', 'sending'] as const)
      expect(resultsOfRow({ ...row, status }, base, 'send')).toEqual([]);
  });
});
