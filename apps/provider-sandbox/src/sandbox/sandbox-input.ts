// Parses the inputs of the sandbox's own API into typed values, answering bad input with a
// HeraldError that names the field. Unknown fields are refused: a typo ("errorrate") that was
// silently ignored would make a fault test pass for the wrong reason.
import { PipeTransform } from '@nestjs/common';
import { HeraldError } from '@herald/errors';
import { CHANNELS, isChannel, isObject, normalizeRecipient, type Channel } from '../channel.js';
import {
  CALLBACK_STATUSES,
  DEFAULT_CALLBACK_STATUSES,
  type CallbackTarget,
} from '../callbacks/status-callback.service.js';
import type { FaultPatch, RejectRule } from '../faults/fault-injector.service.js';
import { findProviderError, knownErrorCodes } from '../faults/provider-error.catalog.js';
import type { MessageQuery } from '../log/message-log.service.js';

/** Runs one of the parsers below as a Nest pipe, so handlers receive the typed value. */
export class InputPipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly parse: (input: unknown) => T) {}

  transform(value: unknown): T {
    return this.parse(value);
  }
}

export const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;

export function parseMessageQuery(input: unknown): MessageQuery {
  const query = isObject(input) ? input : {};
  rejectUnknown(query, ['channel', 'to', 'account', 'limit', 'after', 'duplicates']);
  const channel = single(query, 'channel');
  if (channel !== undefined && !isChannel(channel)) {
    throw HeraldError.invalid('channel', `channel must be one of ${CHANNELS.join(', ')}`);
  }
  const to = single(query, 'to');
  const account = single(query, 'account');
  const duplicates = single(query, 'duplicates');
  if (duplicates !== undefined && !['true', 'false', '1', '0'].includes(duplicates)) {
    throw HeraldError.invalid('duplicates', 'duplicates must be true or false');
  }
  return {
    channel,
    to: to === '' ? undefined : to,
    account: account === '' ? undefined : account,
    limit: integerParam(query, 'limit', 1, MAX_PAGE) ?? DEFAULT_PAGE,
    after: integerParam(query, 'after', 0, Number.MAX_SAFE_INTEGER) ?? 0,
    duplicatesOnly: duplicates === 'true' || duplicates === '1',
  };
}

export type FaultsInput = { clear: true } | { clear: false; channel: Channel; patch: FaultPatch };

export function parseFaultsInput(input: unknown): FaultsInput {
  if (input === undefined || input === null) return { clear: true };
  if (!isObject(input)) throw HeraldError.invalid('body', 'The body must be a JSON object');
  if (Object.keys(input).length === 0) return { clear: true };
  rejectUnknown(input, [
    'channel',
    'errorRate',
    'latencyMs',
    'outage',
    'outageAccounts',
    'refusedAccounts',
    'rejectRecipients',
  ]);
  const channel = requireChannel(input);
  const patch: FaultPatch = {};
  if (input.errorRate !== undefined) {
    const rate = input.errorRate;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
      throw HeraldError.invalid('errorRate', 'errorRate must be a number from 0 to 1');
    }
    patch.errorRate = rate;
  }
  if (input.latencyMs !== undefined) {
    patch.latencyMs = integerValue(input.latencyMs, 'latencyMs', 0, 60_000);
  }
  if (input.outage !== undefined) {
    if (typeof input.outage !== 'boolean') {
      throw HeraldError.invalid('outage', 'outage must be true or false');
    }
    patch.outage = input.outage;
  }
  if (input.outageAccounts !== undefined) {
    patch.outageAccounts = accountList(
      input.outageAccounts,
      'outageAccounts',
      'outageAccounts must be a list of provider account ids (phone number id, AccountSid, Page id); [] ends their outage',
    );
  }
  if (input.refusedAccounts !== undefined) {
    patch.refusedAccounts = accountList(
      input.refusedAccounts,
      'refusedAccounts',
      'refusedAccounts must be a list of provider account ids (phone number id, AccountSid, Page id) whose credentials are refused; [] accepts them again',
    );
  }
  if (input.rejectRecipients !== undefined) {
    patch.rejectRecipients = parseRejectRecipients(channel, input.rejectRecipients);
  }
  return { clear: false, channel, patch };
}

/** A list of provider account ids (phone number id, AccountSid, Page id), none empty. */
function accountList(input: unknown, field: string, message: string): ReadonlySet<string> {
  if (
    !Array.isArray(input) ||
    input.some((account) => typeof account !== 'string' || account === '')
  )
    throw HeraldError.invalid(field, message);
  return new Set(input as string[]);
}

function parseRejectRecipients(channel: Channel, input: unknown): Map<string, RejectRule> {
  if (!isObject(input)) {
    throw HeraldError.invalid(
      'rejectRecipients',
      'rejectRecipients must be an object of recipient → provider error code',
    );
  }
  const rules = new Map<string, RejectRule>();
  for (const [recipient, value] of Object.entries(input)) {
    const field = `rejectRecipients.${recipient}`;
    const key = normalizeRecipient(channel, recipient);
    if (key === '') throw HeraldError.invalid(field, 'The recipient is empty');
    const spec = typeof value === 'number' ? { code: value } : value;
    if (!isObject(spec)) {
      throw HeraldError.invalid(field, 'Give an error code, or {code, subcode?, async?}');
    }
    rejectUnknown(spec, ['code', 'subcode', 'async'], `${field}.`);
    const code = integerValue(spec.code, `${field}.code`, 0, 10_000_000);
    const subcode =
      spec.subcode === undefined
        ? undefined
        : integerValue(spec.subcode, `${field}.subcode`, 0, 1e9);
    const entry = findProviderError(channel, code, subcode);
    if (entry === undefined) {
      throw HeraldError.invalid(
        field,
        `The sandbox has no ${channel} error ${subcode === undefined ? code : `${code}/${subcode}`}; known: ${knownErrorCodes(channel).join(', ')}`,
      );
    }
    if (spec.async !== undefined && typeof spec.async !== 'boolean') {
      throw HeraldError.invalid(`${field}.async`, 'async must be true or false');
    }
    let async = entry.delivery === 'async';
    if (spec.async === true && entry.delivery === 'sync') {
      throw HeraldError.invalid(
        `${field}.async`,
        `${channel} returns error ${code} only on the send`,
      );
    }
    if (spec.async === false && entry.delivery === 'async') {
      throw HeraldError.invalid(
        `${field}.async`,
        `${channel} reports error ${code} only in a status callback`,
      );
    }
    if (entry.delivery === 'either') async = spec.async === true;
    rules.set(key, { entry, async });
  }
  return rules;
}

export interface CallbacksInput {
  channel: Channel;
  target: CallbackTarget | null;
}

export function parseCallbacksInput(input: unknown): CallbacksInput {
  if (!isObject(input)) throw HeraldError.invalid('body', 'The body must be a JSON object');
  rejectUnknown(input, ['channel', 'url', 'statuses', 'delayMs']);
  const channel = requireChannel(input);
  if (input.url === null) return { channel, target: null };
  if (typeof input.url !== 'string' || !isHttpUrl(input.url)) {
    throw HeraldError.invalid('url', 'url must be an http(s) URL, or null to turn callbacks off');
  }
  const allowed = CALLBACK_STATUSES[channel];
  let statuses = DEFAULT_CALLBACK_STATUSES;
  if (input.statuses !== undefined) {
    const given = input.statuses;
    if (
      !Array.isArray(given) ||
      given.length === 0 ||
      given.some((status) => typeof status !== 'string' || !allowed.includes(status))
    ) {
      throw HeraldError.invalid(
        'statuses',
        `statuses must be a non-empty list of ${allowed.join(', ')} for ${channel}`,
      );
    }
    // Posted in the order they happen, whatever order they were listed in.
    statuses = allowed.filter((status) => given.includes(status));
  }
  const delayMs =
    input.delayMs === undefined ? 0 : integerValue(input.delayMs, 'delayMs', 0, 600_000);
  return { channel, target: { url: input.url, statuses, delayMs } };
}

function requireChannel(input: Record<string, unknown>): Channel {
  if (!isChannel(input.channel)) {
    throw HeraldError.invalid('channel', `channel must be one of ${CHANNELS.join(', ')}`);
  }
  return input.channel;
}

function rejectUnknown(input: Record<string, unknown>, known: string[], prefix = ''): void {
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) {
      throw HeraldError.invalid(`${prefix}${key}`, `Unknown field; expected ${known.join(', ')}`);
    }
  }
}

/** A query value, refusing repeats (?limit=1&limit=2) rather than guessing. */
function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw HeraldError.invalid(name, `Give ${name} once`);
  return value;
}

function integerParam(
  query: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = single(query, name);
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw HeraldError.invalid(name, `${name} must be an integer`);
  return integerValue(Number(raw), name, min, max);
}

function integerValue(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw HeraldError.invalid(field, `${field} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const protocol = new URL(value).protocol;
  return protocol === 'http:' || protocol === 'https:';
}
