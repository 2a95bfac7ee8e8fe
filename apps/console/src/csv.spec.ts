import { parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF, skipping blank lines', () => {
    const text = 'channel,user_id,note\r\nsms,+1555,"a, b"\n\nsms,+1556,"say ""hi""\nthere"\n';
    expect(parseCsv(text)).toEqual([
      ['channel', 'user_id', 'note'],
      ['sms', '+1555', 'a, b'],
      ['sms', '+1556', 'say "hi"\nthere'],
    ]);
  });

  it('keeps a last line without a newline and empty cells', () => {
    expect(parseCsv('a,,c\nd,e,')).toEqual([
      ['a', '', 'c'],
      ['d', 'e', ''],
    ]);
  });
});
