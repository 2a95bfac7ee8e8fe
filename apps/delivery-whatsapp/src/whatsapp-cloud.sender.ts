// The WhatsApp Cloud API adapter: one POST /{phone-number-id}/messages per message; its errors
// are classified by the Graph error codes below, in graphFailure only.
import { Injectable } from '@nestjs/common';
import { accountSettings } from '@herald/contracts';
import {
  configInvalid,
  graphFailure,
  networkFailure,
  postHttp,
  type ChannelSender,
  type GraphCodes,
  type OutboundMessage,
  type SendOutcome,
} from '@herald/delivery-core';
import type { ChannelAccount } from '@herald/persistence';

// Throttling and temporary platform errors are retriable; of those, all but the per-recipient
// pair limit (131056) say the number or platform is in trouble and count against the breaker.
const RETRIABLE = new Set([130429, 131056, 131000, 131016, 131053, 133004, 2, 4, 80007]);
// The account itself refused (invalid or expired token 190, account locked 131031, payment /
// eligibility 131042, blocked for policy 368): nothing was sent. Failure `account`, so a bot
// with a failover account sends the same message through it at once; refused, so it opens no
// breaker (the account's own trouble never pauses other bots).
const ACCOUNT_REFUSALS = [190, 131031, 131042, 368];
const TRIPPING = new Set([130429, 131000, 131016, 133004, 2, 4, 80007, ...ACCOUNT_REFUSALS]);
const ADVICE: Record<number, string> = {
  131056: 'too many messages to this person in a short time (pair rate limit); retried later',
  131048:
    'spam rate limit: too many earlier messages from this number were blocked or reported; check its quality rating',
  131026: 'the number is not on WhatsApp or cannot receive messages',
  131047: 'more than 24 hours since the person last wrote: send an approved template',
  131049: 'Meta held this marketing message back for this person; try later or another channel',
  131051: 'unsupported message type',
  132000: 'template parameters do not match the template',
  132001: 'the template does not exist in this language or is not approved',
  190: 're-authorise the WhatsApp channel: its access token is invalid',
  131031: 'the WhatsApp Business Account is locked or suspended',
  131042: 'the WhatsApp Business Account has a payment or eligibility problem',
  368: 'the account is temporarily blocked for policy violations',
  100: 'the request was invalid',
};
export const WHATSAPP_CODES: GraphCodes = {
  retriable: RETRIABLE,
  tripping: TRIPPING,
  refusals: new Set(ACCOUNT_REFUSALS),
  advice: ADVICE,
};

@Injectable()
export class WhatsAppCloudSender implements ChannelSender {
  constructor(private readonly timeoutMs = 10_000) {}

  async send(account: ChannelAccount, outbound: OutboundMessage): Promise<SendOutcome> {
    const read = accountSettings('whatsapp', account.config);
    if (!read.ok) {
      return configInvalid(read.problem);
    }
    const { baseUrl, apiVersion = 'v21.0', phoneNumberId } = read.settings;
    if (!baseUrl || !phoneNumberId) {
      return configInvalid("the WhatsApp channel's config needs its baseUrl and phoneNumberId");
    }
    const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: outbound.to };
    const body =
      'text' in outbound.message
        ? { ...base, type: 'text', text: { preview_url: false, body: outbound.message.text } }
        : { ...base, type: 'template', template: outbound.message.template };
    try {
      const answer = await postHttp(
        `${baseUrl.replace(/\/$/, '')}/${apiVersion}/${encodeURIComponent(phoneNumberId)}/messages`,
        {
          authorization: `Bearer ${account.credentials.accessToken}`,
          'content-type': 'application/json',
        },
        JSON.stringify(body),
        this.timeoutMs,
      );
      if (answer.status === 200) {
        const id =
          (answer.body as { messages?: Array<{ id?: string }> } | null)?.messages?.[0]?.id ?? null;
        return { ok: true, providerMessageId: id };
      }
      return graphFailure(answer.status, answer.body, WHATSAPP_CODES);
    } catch (error) {
      return networkFailure(error);
    }
  }
}
