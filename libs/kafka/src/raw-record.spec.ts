import { rawRecordOf } from './raw-record.js';

describe('rawRecordOf', () => {
  it('hands the value over untouched and reads CloudEvents headers when present', () => {
    const value = Buffer.from('{"not": "checked"');
    const record = rawRecordOf({
      value,
      timestamp: '1700000000000',
      headers: {
        ce_id: 'abc',
        ce_type: 't',
        ce_source: '/s',
        ce_specversion: '1.0',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    });
    expect(record.data).toBe(value);
    expect(record.attributes).toMatchObject({
      id: 'abc',
      type: 't',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
  });

  it('accepts records without headers or value, with empty attributes', () => {
    const record = rawRecordOf({ value: null, timestamp: '1700000000000', headers: {} });
    expect(record).toEqual({
      ok: true,
      data: null,
      attributes: {
        id: '',
        type: '',
        source: '',
        specversion: '1.0',
        time: '2023-11-14T22:13:20.000Z',
      },
    });
  });
});
