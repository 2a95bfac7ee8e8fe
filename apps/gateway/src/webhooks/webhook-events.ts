// What a verified provider webhook turns into: delivery statuses (for the channel's delivery
// service) and people writing in (for the contact service). Parsers are pure; shape problems
// are answered 400 naming the field.
import type { ContactInbound, DeliveryStatusReport } from '@herald/contracts';
import { HeraldError } from '@herald/errors';

export interface WebhookEvents {
  statuses: DeliveryStatusReport[];
  inbound: ContactInbound[];
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectAt(value: unknown, field: string): Json {
  if (!isObject(value)) throw HeraldError.invalid(field, `${field} must be an object`);
  return value;
}

export function arrayAt(value: unknown, field: string, optional = true): unknown[] {
  if (value === undefined && optional) return [];
  if (!Array.isArray(value)) throw HeraldError.invalid(field, `${field} must be an array`);
  return value;
}

/** A non-empty string of at most `max` characters (numbers are accepted as their text). */
export function textAt(value: unknown, field: string, max = 256): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || text.length === 0)
    throw HeraldError.invalid(field, `${field} must be a non-empty string`);
  if (text.length > max)
    throw HeraldError.invalid(field, `${field} is longer than ${max} characters`);
  return text;
}

/**
 * Unix seconds (Meta sends strings; some payloads carry milliseconds) → ISO time, never later
 * than now: a keyword dated in the future would otherwise outrank every real one after it (the
 * contact service applies the latest keyword of a sender).
 */
export function unixTime(value: unknown, field: string, now = Date.now()): string {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0)
    throw HeraldError.invalid(field, `${field} must be a Unix timestamp`);
  return new Date(Math.min(n > 1e12 ? n : n * 1000, now)).toISOString();
}

export const clip = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;
