// Phone numbers, the one place Herald parses them: every entry point (public APIs, the admin
// import, From-API pages, set_conversation, inbound webhooks) turns what it was given into E.164
// here, so one person written two ways is one contact, matched and messaged at one address.
import {
  Metadata,
  PhoneNumber as ParsedPhoneNumber,
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js';
import type { Target } from './events/common.schema.js';
import type { Channel } from './topics.js';

export type PhoneNumber = { e164: string };
export type PhoneProblem = { invalid: string };

/** Characters a written phone number may contain besides digits. */
const PHONE_TEXT = /^\(?\+?[\d\s().\-/]+$/;

/** Whether `code` is a two-letter country code libphonenumber knows (a bot's `defaultCountry`). */
export function isCountryCode(code: string): code is CountryCode {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}

function possible(text: string, country?: CountryCode): PhoneNumber | undefined {
  const parsed = parsePhoneNumberFromString(text, country);
  // "Possible" (a real country code, a length that country uses), not "valid" (an assigned
  // range): test ranges such as +1 555 must stay usable, and the provider judges assignment.
  if (!parsed || !parsed.isPossible()) return undefined;
  return { e164: parsed.number };
}

/** The parts of libphonenumber's metadata read here (its typings leave them out). */
interface PlanDetails {
  nationalPrefixForParsing(): string | undefined;
  possibleLengths(): number[] | undefined;
}

/**
 * What a calling code's countries agree on, for telling a number's "possible" from its length
 * alone: a full parse judges the length by the plan of the country it detects, and countries
 * that share a code differ (+1: the US takes 10 digits, Canada 7 or 10).
 */
interface CallingCodeLengths {
  /** A national prefix written after the code ("+44 07700…"), which a full parse strips. */
  prefix: RegExp | null;
  /** Lengths every country of the code takes. */
  always: ReadonlySet<number>;
  /** Lengths some country of the code takes. */
  some: ReadonlySet<number>;
}

const callingCodes = new Map<string, CallingCodeLengths | null>();

/** null: the metadata does not say (a full parse decides each number of the code). */
function lengthsOf(callingCode: string): CallingCodeLengths | null {
  let known = callingCodes.get(callingCode);
  if (known !== undefined) return known;
  known = null;
  try {
    const metadata = new Metadata() as unknown as {
      selectNumberingPlan(plan: string): void;
      getCountryCodesForCallingCode(code: string): string[] | undefined;
      numberingPlan: PlanDetails;
    };
    metadata.selectNumberingPlan(callingCode);
    const prefix = metadata.numberingPlan.nationalPrefixForParsing();
    const plans = (metadata.getCountryCodesForCallingCode(callingCode) ?? ['001']).map(
      (country) => {
        metadata.selectNumberingPlan(country === '001' ? callingCode : country);
        return metadata.numberingPlan.possibleLengths() ?? [];
      },
    );
    if (plans.every((lengths) => lengths.length > 0))
      known = {
        prefix: prefix ? new RegExp(`^(?:${prefix})`) : null,
        always: new Set(plans[0].filter((n) => plans.every((lengths) => lengths.includes(n)))),
        some: new Set(plans.flat()),
      };
  } catch {
    known = null;
  }
  callingCodes.set(callingCode, known);
  return known;
}

/**
 * `possible('+<digits>')` without the country detection a full parse does first (15 µs for a +1
 * or +44 number, against under 1 µs here): split off the calling code, and judge the rest by its
 * length where every country of the code agrees. A full parse decides the rest: a length only
 * some of them take, or a rest that starts like a national prefix (the parse strips it).
 */
function possibleInternational(plusDigits: string): PhoneNumber | undefined {
  let split: ParsedPhoneNumber;
  try {
    split = new ParsedPhoneNumber(plusDigits);
  } catch {
    return possible(plusDigits); // no calling code it knows: the full parse says why not
  }
  const national = split.nationalNumber;
  const code = lengthsOf(split.countryCallingCode);
  if (!code || national.length < 2 || code.prefix?.test(national)) return possible(plusDigits);
  if (code.always.has(national.length)) return { e164: split.number };
  if (!code.some.has(national.length)) return undefined;
  return possible(plusDigits);
}

/**
 * The E.164 form of a written phone number: `+1 (555) 123-4567`, `+15551234567`,
 * `0015551234567` and `15551234567` (international digits without the plus) are all
 * `+15551234567`; a national number (`(555) 123-4567`, `07700 900123`) needs `defaultCountry`.
 */
export function normalizePhone(raw: string, defaultCountry?: string): PhoneNumber | PhoneProblem {
  const text = raw.trim();
  if (!PHONE_TEXT.test(text)) {
    return {
      invalid: `"${raw.slice(0, 40)}" is not a phone number (only digits, spaces, "+", "-", ".", "/" and brackets)`,
    };
  }
  const digits = text.replace(/\D/g, '');
  if (digits.length < 4 || digits.length > 17) {
    return {
      invalid: `"${raw.slice(0, 40)}" is not a phone number (it has ${digits.length} digits)`,
    };
  }
  const country = defaultCountry && isCountryCode(defaultCountry) ? defaultCountry : undefined;
  // "+1 555…" or "(+1) 555…": the country code is written.
  const international = /^\(?\+/.test(text);
  const found = international
    ? possibleInternational(`+${digits}`)
    : text.startsWith('00')
      ? possibleInternational(`+${digits.slice(2)}`)
      : ((country ? possible(text, country) : undefined) ??
        // "(555) 123-4567" is written the national way: without a country, no country code.
        (text.startsWith('(') ? undefined : possibleInternational(`+${digits}`)));
  if (found) return found;
  return {
    invalid:
      `"${raw.slice(0, 40)}" cannot be made an E.164 phone number` +
      (international || text.startsWith('00')
        ? ' (unknown country code, or a length that country does not use)'
        : country
          ? ` (neither a ${country} number nor an international one)`
          : " (write it with its country code, e.g. +15551234567, or set the bot's defaultCountry)"),
  };
}

/** The country of an E.164 number ("GB" for +44…), when its digits say. */
export function countryOfPhone(e164: string): string | undefined {
  return parsePhoneNumberFromString(e164)?.country;
}

export const isPhoneChannel = (channel: Channel | undefined): channel is 'whatsapp' | 'sms' =>
  channel === 'whatsapp' || channel === 'sms';

/** A WhatsApp id (`wa_id`) is the E.164 number without its plus. */
export function whatsappIdOf(e164: string): string {
  return e164.replace(/^\+/, '');
}

/** The user id of a contact on a phone channel: the WhatsApp id on WhatsApp, E.164 on SMS. */
export function phoneUserId(channel: 'whatsapp' | 'sms', e164: string): string {
  return channel === 'whatsapp' ? whatsappIdOf(e164) : e164;
}

/** Which field of a target holds an unusable number, and why. */
export interface TargetPhoneProblem {
  field: 'userId' | 'phone';
  reason: string;
}

/**
 * A target with its numbers in canonical form: `phone` in E.164, and on WhatsApp/SMS the user
 * id (which is the number there) as that channel's user id, with `phone` set from it. Targets
 * without a channel keep their user id as given (a customer id, a Messenger id).
 */
export function normalizeTargetPhones(
  target: Target,
  defaultCountry?: string,
  /** The target's user id may be a WhatsApp/SMS user id without its channel (From-API uids): when it reads as a number, it is also the target's phone. */
  userIdMayBePhone = false,
): { target: Target } | { problem: TargetPhoneProblem } {
  let phone: PhoneNumber | undefined;
  if (target.phone !== undefined) {
    const parsed = normalizePhone(target.phone, defaultCountry);
    if ('invalid' in parsed) return { problem: { field: 'phone', reason: parsed.invalid } };
    phone = parsed;
  }
  const out: Target = { ...target, ...(phone ? { phone: phone.e164 } : {}) };
  if (target.userId !== undefined && isPhoneChannel(target.channel)) {
    const parsed = normalizePhone(target.userId, defaultCountry);
    if ('invalid' in parsed) return { problem: { field: 'userId', reason: parsed.invalid } };
    out.userId = phoneUserId(target.channel, parsed.e164);
    if (!out.phone) out.phone = parsed.e164;
  } else if (userIdMayBePhone && target.userId !== undefined && !target.channel && !out.phone) {
    const parsed = normalizePhone(target.userId, defaultCountry);
    if ('e164' in parsed) out.phone = parsed.e164;
  }
  return { target: out };
}
