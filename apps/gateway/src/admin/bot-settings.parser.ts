// A bot's delivery policies (issue 13), as the admin API takes them: a JSON merge patch over the
// stored settings (a key set to null removes it), every value checked and named when wrong.
import { isCountryCode, isTimeZone, parseSendWindow } from '@herald/contracts';
import { HeraldError } from '@herald/errors';
import type { BotSettings } from '@herald/persistence';

const KEYS = ['defaultCountry', 'timezone', 'frequencyCap', 'sendWindow'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function frequencyCap(value: unknown): NonNullable<BotSettings['frequencyCap']> {
  const fix = 'Send {"max": 3, "hours": 24}: at most 3 broadcast messages per person in 24 hours.';
  if (!isObject(value))
    throw HeraldError.invalid(
      'frequencyCap',
      'frequencyCap must be an object {"max", "hours"}',
      fix,
    );
  for (const key of Object.keys(value)) {
    if (!['max', 'hours', 'singleSends'].includes(key)) {
      throw HeraldError.invalid(`frequencyCap.${key}`, `frequencyCap has no setting "${key}"`, fix);
    }
  }
  const { max, hours, singleSends } = value;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 1000) {
    throw HeraldError.invalid(
      'frequencyCap.max',
      'frequencyCap.max must be a whole number from 1 to 1000',
      fix,
    );
  }
  if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0 || hours > 24 * 31) {
    throw HeraldError.invalid(
      'frequencyCap.hours',
      'frequencyCap.hours must be a number of hours above 0, at most 744 (31 days)',
      fix,
    );
  }
  if (singleSends !== undefined && typeof singleSends !== 'boolean') {
    throw HeraldError.invalid(
      'frequencyCap.singleSends',
      'frequencyCap.singleSends must be true or false',
      fix,
    );
  }
  return { max, hours, ...(singleSends !== undefined ? { singleSends } : {}) };
}

/** The settings after applying `patch` to `current`; throws a 400 naming the first wrong value. */
export function applyBotSettingsPatch(current: BotSettings, patch: unknown): BotSettings {
  if (!isObject(patch)) {
    throw HeraldError.invalid(
      'body',
      'The body must be a JSON object of settings',
      'Send e.g. {"defaultCountry": "US", "timezone": "America/New_York"}.',
    );
  }
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw HeraldError.invalid(
        key,
        `"${key}" is not a bot setting`,
        `Bot settings are ${KEYS.join(', ')}.`,
      );
    }
    if (value === null) {
      delete next[key];
      continue;
    }
    if (key === 'defaultCountry') {
      if (typeof value !== 'string' || !isCountryCode(value.toUpperCase())) {
        throw HeraldError.invalid(
          'defaultCountry',
          'defaultCountry must be a two-letter country code with a telephone plan, e.g. "US" or "GB"',
          'Use the ISO 3166-1 alpha-2 code of the country whose national numbers the bot receives.',
        );
      }
      next[key] = value.toUpperCase();
    } else if (key === 'timezone') {
      if (typeof value !== 'string' || !isTimeZone(value)) {
        throw HeraldError.invalid(
          'timezone',
          'timezone must be an IANA time zone, e.g. "Europe/Paris"',
          'Use a name from the IANA time zone database (tz).',
        );
      }
      next[key] = value;
    } else if (key === 'sendWindow') {
      const parsed = parseSendWindow(value);
      if ('problem' in parsed)
        throw HeraldError.invalid(
          parsed.field,
          parsed.problem,
          'Send e.g. {"from": "09:00", "to": "20:00", "days": ["mon", "tue", "wed", "thu", "fri"]}.',
        );
      next[key] = parsed.window;
    } else {
      next[key] = frequencyCap(value);
    }
  }
  return next;
}
