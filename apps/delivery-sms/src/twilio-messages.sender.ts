// The Twilio Messages API adapter: one form POST per message; its errors are classified by
// Twilio's code in twilioFailure only.
import { Injectable } from '@nestjs/common';
import { accountSettings } from '@herald/contracts';
import {
  configInvalid,
  failureOf,
  formField,
  httpTarget,
  networkFailure,
  postTo,
  templateNotSupported,
  type ChannelSender,
  type HttpTarget,
  type OutboundMessage,
  type SendFailure,
  type SendOutcome,
} from '@herald/delivery-core';
import type { ChannelAccount } from '@herald/persistence';
import { smsSegments } from './sms-segments.js';

// Twilio's `code` is more specific than its HTTP status: classify by it. Concurrency limits,
// queue overflow and server errors are about the account and count against the breaker.
// The account itself refused (credentials 20003, account suspended 30002, closed or
// suspended account 20005): nothing was sent. Failure `account`, so a bot with a failover
// account sends the same message through it at once; refused, so it opens no breaker (the
// account's own trouble never pauses other bots).
const ACCOUNT_REFUSALS = [20003, 20005, 30002];
const REFUSALS = new Set(ACCOUNT_REFUSALS);
const RETRIABLE = new Set([20429, 20500, 20503, 21611, 30001, 30002]);
const TRIPPING = new Set([20429, 20500, 20503, 21611, ...ACCOUNT_REFUSALS]);
const ADVICE: Record<number, string> = {
  21211: 'the number is not a valid phone number',
  21610: 'this person replied STOP: they are unsubscribed',
  21614: 'the number cannot receive SMS (landline or unreachable carrier)',
  21408: 'sending to this region is not enabled on the Twilio account',
  20003: 're-authorise the SMS channel: Twilio refused the account credentials',
  20005: 'the Twilio account is not active',
  30002: 'the Twilio account is suspended',
};

/** What every message of one account sends alike: where, as whom, and the form's fixed fields. */
interface AccountRequest {
  target: HttpTarget;
  headers: Record<string, string>;
  /** `&From=…` or `&MessagingServiceSid=…`, and `&StatusCallback=…`: after To and Body. */
  fixedFields: string;
}

@Injectable()
export class TwilioMessagesSender implements ChannelSender {
  /**
   * Per account row (the delivery core caches rows for half a minute, then reads new ones): its
   * request parts are made once, not once a message.
   */
  private readonly requests = new WeakMap<ChannelAccount, AccountRequest | SendFailure>();

  constructor(private readonly timeoutMs = 10_000) {}

  async send(account: ChannelAccount, outbound: OutboundMessage): Promise<SendOutcome> {
    if (!('text' in outbound.message)) {
      return templateNotSupported('sms');
    }
    let request = this.requests.get(account);
    if (request === undefined) this.requests.set(account, (request = accountRequest(account)));
    if (!('target' in request)) return { ...request };
    const body = `${formField('To', outbound.to)}&${formField('Body', outbound.message.text)}${request.fixedFields}`;
    try {
      const answer = await postTo(request.target, request.headers, body, this.timeoutMs);
      if (answer.status === 200 || answer.status === 201) {
        return {
          ok: true,
          providerMessageId: (answer.body as { sid?: string } | null)?.sid ?? null,
          segments: smsSegments(outbound.message.text).segments,
        };
      }
      return twilioFailure(answer.status, answer.body);
    } catch (error) {
      return networkFailure(error);
    }
  }
}

/** The account's request parts, or why its config cannot send. */
function accountRequest(account: ChannelAccount): AccountRequest | SendFailure {
  const read = accountSettings('sms', account.config);
  if (!read.ok) {
    return configInvalid(read.problem);
  }
  const { baseUrl, accountSid, from, messagingServiceSid, statusCallbackUrl } = read.settings;
  if (!baseUrl || !accountSid) {
    return configInvalid("the SMS channel's config needs its baseUrl and accountSid");
  }
  let target: HttpTarget;
  try {
    target = httpTarget(
      `${baseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`,
    );
  } catch (error) {
    return networkFailure(error);
  }
  const auth = Buffer.from(`${accountSid}:${account.credentials.authToken ?? ''}`).toString(
    'base64',
  );
  return {
    target,
    headers: {
      authorization: `Basic ${auth}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    fixedFields:
      (messagingServiceSid
        ? `&${formField('MessagingServiceSid', messagingServiceSid)}`
        : from
          ? `&${formField('From', from)}`
          : '') +
      // Where Twilio posts this message's statuses (the gateway's /webhooks/twilio), when the
      // account's Messaging Service does not set one.
      (statusCallbackUrl ? `&${formField('StatusCallback', statusCallbackUrl)}` : ''),
  };
}

/** A Twilio error answer as a failure: by its `code` when it has one, else by HTTP status. */
export function twilioFailure(status: number, body: unknown): SendFailure {
  const error = body as { code?: number; message?: string } | null;
  const code = error?.code;
  const detail = error?.message ?? `HTTP ${status}`;
  const hint = code !== undefined ? ADVICE[code] : undefined;
  return {
    ok: false,
    failure: failureOf(status, code, RETRIABLE, TRIPPING),
    code: code !== undefined ? String(code) : `HTTP_${status}`,
    reason: hint ? `${detail} — ${hint}` : detail,
    ...(code !== undefined && REFUSALS.has(code) ? { refused: true as const } : {}),
  };
}
