import fc from 'fast-check';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { normalizePhone, normalizeTargetPhones, phoneUserId } from './phone-number.js';

describe('normalizePhone', () => {
  it.each([
    ['15551234567', undefined],
    ['+15551234567', undefined],
    ['+1 (555) 123-4567', undefined],
    ['+1.555.123.4567', undefined],
    ['(+1) 555 123 4567', undefined],
    ['0015551234567', undefined],
    ['  1 555 123 4567 ', undefined],
    ['(555) 123-4567', 'US'],
    ['555-123-4567', 'US'],
    ['15551234567', 'GB'],
  ])('reads %p (default country %p) as +15551234567', (raw, country) => {
    expect(normalizePhone(raw, country)).toMatchObject({ e164: '+15551234567' });
  });

  it('reads a national number in the default country', () => {
    expect(normalizePhone('07700 900123', 'GB')).toEqual({ e164: '+447700900123' });
    expect(normalizePhone('06 12 34 56 78', 'FR')).toEqual({ e164: '+33612345678' });
  });

  it('drops a national prefix written after the country code, as a full parse does', () => {
    expect(normalizePhone('+44 07700 900123')).toEqual({ e164: '+447700900123' });
    expect(normalizePhone('0044 07700 900123')).toEqual({ e164: '+447700900123' });
  });

  // International numbers skip libphonenumber's country detection (see possibleInternational):
  // whatever the digits, the answer must be the full parse's.
  it('reads every international number as a full libphonenumber parse does', () => {
    const fullParse = (plusDigits: string): string | undefined => {
      const parsed = parsePhoneNumberFromString(plusDigits);
      return parsed?.isPossible() ? parsed.number : undefined;
    };
    const callingCodes = [...new Set(getCountries().map((c) => getCountryCallingCode(c)))];
    const digits = (min: number, max: number) =>
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
    const numbers = fc.oneof(
      // A known calling code, then a national part that often starts like a national prefix.
      fc
        .tuple(
          fc.constantFrom(...callingCodes),
          fc.constantFrom('', '0', '1', '8', '9', '06'),
          digits(0, 12),
        )
        .map(([code, lead, rest]) => `${code}${lead}${rest}`),
      digits(4, 17),
    );
    fc.assert(
      fc.property(
        numbers.filter((d) => d.length >= 4 && d.length <= 17),
        (d) => {
          const got = normalizePhone(`+${d}`);
          expect('e164' in got ? got.e164 : undefined).toBe(fullParse(`+${d}`));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it.each([
    ['not-a-number', /not a phone number/],
    ['123', /3 digits/],
    ['+0 555 123', /unknown country code/],
    ['(555) 123-4567', /set the bot's defaultCountry/],
  ])('refuses %p with a reason', (raw, reason) => {
    const result = normalizePhone(raw);
    expect(result).toEqual({ invalid: expect.stringMatching(reason) });
  });

  it('ignores a default country it does not know', () => {
    expect(normalizePhone('15551234567', 'ZZ')).toEqual({ e164: '+15551234567' });
  });
});

describe('normalizeTargetPhones', () => {
  it('gives WhatsApp targets the WhatsApp id and SMS targets E.164, with the phone set', () => {
    expect(normalizeTargetPhones({ userId: '+1 (555) 123-4567', channel: 'whatsapp' })).toEqual({
      target: { userId: '15551234567', phone: '+15551234567', channel: 'whatsapp' },
    });
    expect(normalizeTargetPhones({ userId: '15551234567', channel: 'sms' })).toEqual({
      target: { userId: '+15551234567', phone: '+15551234567', channel: 'sms' },
    });
    expect(phoneUserId('whatsapp', '+447700900123')).toBe('447700900123');
  });

  it('keeps the user id of Messenger and channel-less targets, normalising only the phone', () => {
    expect(normalizeTargetPhones({ userId: 'crm-42', phone: '(555) 123-4567' }, 'US')).toEqual({
      target: { userId: 'crm-42', phone: '+15551234567' },
    });
    expect(normalizeTargetPhones({ userId: '2411000000000001', channel: 'messenger' })).toEqual({
      target: { userId: '2411000000000001', channel: 'messenger' },
    });
  });

  it('reads a channel-less user id as a phone too when it may be one (From-API uids)', () => {
    expect(
      normalizeTargetPhones({ userId: '+1 (555) 123-4567', message: 'hi' }, undefined, true),
    ).toEqual({
      target: { userId: '+1 (555) 123-4567', phone: '+15551234567', message: 'hi' },
    });
    expect(normalizeTargetPhones({ userId: 'crm-42' }, undefined, true)).toEqual({
      target: { userId: 'crm-42' },
    });
    expect(normalizeTargetPhones({ userId: '15551234567' })).toEqual({
      target: { userId: '15551234567' },
    });
  });

  it('names the field that holds an unusable number', () => {
    expect(normalizeTargetPhones({ userId: 'ada', channel: 'sms' })).toEqual({
      problem: { field: 'userId', reason: expect.stringContaining('not a phone number') },
    });
    expect(normalizeTargetPhones({ phone: '12' })).toEqual({
      problem: { field: 'phone', reason: expect.any(String) },
    });
  });
});
