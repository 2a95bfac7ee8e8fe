import { errorOf } from '../testing/error-of.js';
import { MAX_IMPORT_ROWS, parseContactImport } from './contact-import.parser.js';

describe('parseContactImport', () => {
  it('reads rows with identities and variables; on WhatsApp and SMS the phone can stand for the user id', () => {
    const rows = parseContactImport([
      { channel: 'whatsapp', user_id: '15551234567', variables: { first_name: 'Ada', age: 36 } },
      { channel: 'SMS', phone: '+15557654321' },
      { channel: 'messenger', user_id: 'psid-1', fbid: 'psid-1', email: 'g@example.com' },
    ]);
    expect(rows).toEqual([
      { channel: 'whatsapp', userId: '15551234567', variables: { first_name: 'Ada', age: '36' } },
      { channel: 'sms', userId: '+15557654321', phone: '+15557654321', variables: {} },
      {
        channel: 'messenger',
        userId: 'psid-1',
        fbid: 'psid-1',
        email: 'g@example.com',
        variables: {},
      },
    ]);
  });

  it('names every bad row and field, and imports nothing', () => {
    const error = errorOf(() =>
      parseContactImport([
        { channel: 'whatsapp', user_id: '1' },
        { channel: 'fax', user_id: '2' },
        { channel: 'messenger', phone: '+1' },
        { channel: 'sms', user_id: '3', variables: { nested: { a: 1 } } },
        'x',
        { channel: 'sms', user_id: '4', nickname: 'x' },
      ]),
    );
    expect(error.field).toBe('[1].channel');
    expect(error.message).toContain('[1].channel must be one of whatsapp, sms, messenger');
    expect(error.message).toContain('[2].user_id is required');
    expect(error.message).toContain('[3].variables.nested must be a string');
    expect(error.message).toContain('[4] must be an object');
    expect(error.message).toContain('[5].nickname is not a contact field');
  });

  it(`refuses an empty list, a non-list, and more than ${MAX_IMPORT_ROWS} rows`, () => {
    expect(errorOf(() => parseContactImport([])).field).toBe('body');
    expect(errorOf(() => parseContactImport({ channel: 'sms' })).field).toBe('body');
    const many = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => ({
      channel: 'sms',
      user_id: String(i),
    }));
    expect(errorOf(() => parseContactImport(many)).message).toContain('At most 10000');
  });
});
