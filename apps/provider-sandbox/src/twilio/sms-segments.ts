// SMS segment count as Twilio bills it: GSM-7 when every character is in the GSM 03.38 tables
// (160 septets in one segment, 153 per part when concatenated; extension characters take two
// and are not split across parts), otherwise UCS-2 (70 code units, 67 per part; a surrogate
// pair is not split).

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '^{}\\[~]|€\f';

const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export function smsEncoding(body: string): SmsEncoding {
  for (const char of body) {
    if (!BASIC.has(char) && !EXTENSION.has(char)) return 'UCS-2';
  }
  return 'GSM-7';
}

export function countSmsSegments(body: string): number {
  if (body.length === 0) return 1;
  return smsEncoding(body) === 'GSM-7' ? gsm7Segments(body) : ucs2Segments(body);
}

function gsm7Segments(body: string): number {
  let septets = 0;
  for (const char of body) septets += EXTENSION.has(char) ? 2 : 1;
  if (septets <= 160) return 1;
  return pack(body, 153, (char) => (EXTENSION.has(char) ? 2 : 1));
}

function ucs2Segments(body: string): number {
  if (body.length <= 70) return 1;
  // Iterating a string yields whole code points: a surrogate pair is one item of size 2.
  return pack(body, 67, (char) => char.length);
}

/** Parts needed when units are filled in order and no character straddles two parts. */
function pack(body: string, perPart: number, size: (char: string) => number): number {
  let parts = 1;
  let used = 0;
  for (const char of body) {
    const units = size(char);
    if (used + units > perPart) {
      parts++;
      used = 0;
    }
    used += units;
  }
  return parts;
}
