import { countSmsSegments, smsEncoding } from './sms-segments.js';

describe('countSmsSegments', () => {
  it('uses GSM-7 for the GSM 03.38 tables, UCS-2 for anything else', () => {
    expect(smsEncoding('Hello @ £5, Ça va? {ok} €')).toBe('GSM-7');
    expect(smsEncoding('Привет')).toBe('UCS-2');
    expect(smsEncoding('ok 👍')).toBe('UCS-2');
    // ç (lowercase) is not in GSM-7, only Ç is.
    expect(smsEncoding('ç')).toBe('UCS-2');
  });

  it('fits 160 GSM-7 characters in one segment and 153 per concatenated part', () => {
    expect(countSmsSegments('')).toBe(1);
    expect(countSmsSegments('a'.repeat(160))).toBe(1);
    expect(countSmsSegments('a'.repeat(161))).toBe(2);
    expect(countSmsSegments('a'.repeat(306))).toBe(2);
    expect(countSmsSegments('a'.repeat(307))).toBe(3);
  });

  it('counts GSM-7 extension characters as two septets, never split across parts', () => {
    expect(countSmsSegments('€'.repeat(80))).toBe(1);
    expect(countSmsSegments('€'.repeat(81))).toBe(2);
    // 152 septets of "a", then "€" (2) does not fit in part one's 153.
    expect(countSmsSegments(`${'a'.repeat(152)}€${'a'.repeat(10)}`)).toBe(2);
    expect(countSmsSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toBe(3);
  });

  it('fits 70 UCS-2 code units in one segment and 67 per part', () => {
    expect(countSmsSegments('ж'.repeat(70))).toBe(1);
    expect(countSmsSegments('ж'.repeat(71))).toBe(2);
    expect(countSmsSegments('ж'.repeat(134))).toBe(2);
    expect(countSmsSegments('ж'.repeat(135))).toBe(3);
  });

  it('counts an emoji as two UCS-2 units and does not split it', () => {
    expect(countSmsSegments('👍'.repeat(35))).toBe(1);
    expect(countSmsSegments('👍'.repeat(36))).toBe(2);
    // 66 units of "ж", then a 2-unit emoji goes to part two.
    expect(countSmsSegments(`${'ж'.repeat(66)}👍${'ж'.repeat(10)}`)).toBe(2);
  });
});
