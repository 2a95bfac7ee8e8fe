import { smsSegments } from './sms-segments.js';

describe('smsSegments', () => {
  it('counts GSM-7 texts at 160 in one segment and 153 per part beyond', () => {
    expect(smsSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(smsSegments('a'.repeat(306))).toEqual({ encoding: 'GSM-7', units: 306, segments: 2 });
    expect(smsSegments('a'.repeat(307)).segments).toBe(3);
  });

  it('counts extension characters (€, braces) as two septets', () => {
    expect(smsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSegments(`${'€'.repeat(80)}a`).segments).toBe(2);
  });

  it('switches the whole text to UCS-2 for one character outside GSM-7', () => {
    expect(smsSegments(`${'a'.repeat(69)}ą`)).toEqual({
      encoding: 'UCS-2',
      units: 70,
      segments: 1,
    });
    expect(smsSegments(`${'a'.repeat(70)}ą`)).toEqual({
      encoding: 'UCS-2',
      units: 71,
      segments: 2,
    });
    expect(smsSegments('a'.repeat(134) + 'ą').segments).toBe(3);
  });

  it('counts an emoji (outside the BMP) as two UCS-2 units', () => {
    expect(smsSegments('👋').units).toBe(2);
    expect(smsSegments('😀'.repeat(35)).segments).toBe(1);
    expect(smsSegments('😀'.repeat(36)).segments).toBe(2);
  });
});
