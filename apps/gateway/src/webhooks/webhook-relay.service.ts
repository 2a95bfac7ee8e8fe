import { Injectable } from '@nestjs/common';
import {
  Topics,
  deliveryStatusTopicFor,
  type ContactInbound,
  type DeliveryStatusReport,
  type DeliveryStatusTopic,
} from '@herald/contracts';
import { ErrorCode, HeraldError } from '@herald/errors';
import { EventPublisher } from '@herald/kafka';
import { parseMessengerWebhook } from './messenger-webhook.parser.js';
import { parseTwilioWebhook } from './twilio-webhook.parser.js';
import { WebhookConfig } from './webhook.config.js';
import { isObject, type WebhookEvents } from './webhook-events.js';
import { WebhookSecretsService, botsSigning } from './webhook-secrets.service.js';
import { metaSignatureValid, twilioSignatureValid } from './webhook-signature.js';
import { parseWhatsAppWebhook } from './whatsapp-webhook.parser.js';

export interface SignedRequest {
  rawBody: Buffer | undefined;
  body: unknown;
  signature: string | undefined;
}

export interface TwilioRequest extends SignedRequest {
  /** The URL as this server saw it (scheme and host from X-Forwarded-* behind a proxy). */
  url: string;
  /** The path and query Twilio called, for WEBHOOK_PUBLIC_URL. */
  path: string;
}

/** Per account a webhook names: the bots it speaks for (null: every bot naming the account). */
type SignedFor = Map<string, readonly string[] | null>;

/**
 * Verifies provider webhooks as each provider signs them, with the secret of the account each
 * names (a body naming several accounts must verify for each), and relays what they say to Kafka:
 * statuses to the channel's delivery service (which owns the delivery rows), people writing in
 * to the contact service (which owns contacts). Each event names the bots whose secret verified
 * it (`botIds`), and applies to theirs only. Answers only once Kafka has acknowledged.
 */
@Injectable()
export class WebhookRelayService {
  constructor(
    private readonly config: WebhookConfig,
    private readonly publisher: EventPublisher,
    private readonly secrets: WebhookSecretsService,
  ) {}

  /** Meta's subscription handshake: the challenge back when the verify token matches. */
  verifyChallenge(query: Record<string, unknown>): string {
    const tokens = this.config.required(this.config.metaVerifyTokens, 'META_VERIFY_TOKEN');
    if (query['hub.mode'] !== 'subscribe')
      throw HeraldError.invalid('hub.mode', 'hub.mode must be "subscribe"');
    const challenge = query['hub.challenge'];
    if (typeof challenge !== 'string' || challenge.length === 0 || challenge.length > 256) {
      throw HeraldError.invalid('hub.challenge', 'hub.challenge must be a non-empty string');
    }
    if (
      typeof query['hub.verify_token'] !== 'string' ||
      !tokens.includes(query['hub.verify_token'])
    ) {
      throw new HeraldError(
        ErrorCode.Forbidden,
        'hub.verify_token does not match META_VERIFY_TOKEN',
      );
    }
    return challenge;
  }

  async whatsapp(request: SignedRequest): Promise<void> {
    const signedFor = await this.checkMeta('whatsapp', request, whatsappAccounts(request.body));
    await this.relay(parseWhatsAppWebhook(request.body), signedFor);
  }

  async messenger(request: SignedRequest): Promise<void> {
    const signedFor = await this.checkMeta('messenger', request, messengerAccounts(request.body));
    await this.relay(parseMessengerWebhook(request.body), signedFor);
  }

  async twilio(request: TwilioRequest): Promise<void> {
    if (!request.rawBody)
      throw HeraldError.invalid(
        'body',
        'Twilio webhooks are form-encoded (application/x-www-form-urlencoded)',
      );
    const params = [...new URLSearchParams(request.rawBody.toString('utf8'))];
    const accountSid = params.find(([name]) => name === 'AccountSid')?.[1];
    if (!accountSid || accountSid.length > 128)
      throw HeraldError.invalid('AccountSid', 'a Twilio webhook names its account in AccountSid');
    const urls = [
      request.url,
      ...(this.config.publicUrl ? [this.config.publicUrl + request.path] : []),
    ];
    const bots = botsSigning(await this.secrets.twilio(accountSid), (token) =>
      twilioSignatureValid([token], urls, params, request.signature),
    );
    if (bots === undefined) {
      throw new HeraldError(
        ErrorCode.Unauthorized,
        'X-Twilio-Signature is missing or does not match this URL and body for the AccountSid it names',
        {
          fix: "Check the authToken of the SMS channel with this accountSid (Twilio signs with the account's own auth token), and WEBHOOK_PUBLIC_URL when a proxy changes the URL Twilio calls.",
        },
      );
    }
    await this.relay(parseTwilioWebhook(params), new Map([[accountSid, bots]]));
  }

  /** Verifies the body for each account it names; the bots it speaks for, per account. */
  private async checkMeta(
    type: 'whatsapp' | 'messenger',
    request: SignedRequest,
    accounts: string[],
  ): Promise<SignedFor> {
    const { rawBody } = request;
    if (!rawBody) throw HeraldError.invalid('body', 'Meta webhooks are JSON (application/json)');
    const signedFor: SignedFor = new Map();
    // A body naming no account carries nothing to apply; the platform's secret still signs it.
    const named = accounts.length > 0 ? accounts : [undefined];
    for (const account of named) {
      const signers =
        account === undefined
          ? this.config.metaAppSecrets.map((secret) => ({ secret, botIds: [] }))
          : await this.secrets.meta(type, account);
      if (signers.length === 0) this.config.required([], 'META_APP_SECRET');
      const bots = botsSigning(signers, (secret) =>
        metaSignatureValid([secret], rawBody, request.signature),
      );
      if (bots === undefined) {
        throw new HeraldError(
          ErrorCode.Unauthorized,
          'X-Hub-Signature-256 is missing or does not match the body for the account it names',
          {
            fix: 'Check the appSecret of the channel with this phone number id / page id (else META_APP_SECRET): it must be the App Secret of the Meta app that account belongs to.',
          },
        );
      }
      if (account !== undefined) signedFor.set(account, bots);
    }
    return signedFor;
  }

  /** Publishes the events, each naming the bots its account's signature speaks for. */
  private async relay({ statuses, inbound }: WebhookEvents, signedFor: SignedFor): Promise<void> {
    // An event of an account the signature did not cover speaks for nobody.
    const bots = (account: string) => {
      const ids = signedFor.has(account) ? signedFor.get(account)! : [];
      return ids === null ? {} : { botIds: [...ids] };
    };
    const byTopic = new Map<DeliveryStatusTopic, DeliveryStatusReport[]>();
    for (const status of statuses) {
      const topic = deliveryStatusTopicFor(status.channel);
      const list = byTopic.get(topic);
      const signed = { ...status, ...bots(status.account) };
      if (list) list.push(signed);
      else byTopic.set(topic, [signed]);
    }
    await Promise.all([
      ...[...byTopic].map(([topic, list]) =>
        this.publisher.publish(
          topic,
          list.map((data) => ({ key: data.recipient, data })),
        ),
      ),
      inbound.length > 0
        ? this.publisher.publish(
            Topics.ContactInbound,
            inbound.map((data: ContactInbound) => ({
              key: data.sender,
              data: { ...data, ...bots(data.account) },
            })),
          )
        : Promise.resolve(),
    ]);
  }
}

const MAX_ACCOUNTS = 100;

/** The WhatsApp phone number ids a body names (read loosely: the parser checks the shape after). */
export function whatsappAccounts(body: unknown): string[] {
  const ids = new Set<string>();
  const entries = isObject(body) && Array.isArray(body.entry) ? body.entry : [];
  for (const entry of entries) {
    const changes = isObject(entry) && Array.isArray(entry.changes) ? entry.changes : [];
    for (const change of changes) {
      const value = isObject(change) && isObject(change.value) ? change.value : undefined;
      const id = value && isObject(value.metadata) ? value.metadata.phone_number_id : undefined;
      if (typeof id === 'string' || typeof id === 'number') ids.add(String(id));
    }
  }
  return capped(ids);
}

/**
 * The Page ids a Messenger body names: each entry's id, and the recipient of each event that is
 * not the Page's own echo (the parser applies events to their recipient; an echo's recipient is
 * the person).
 */
export function messengerAccounts(body: unknown): string[] {
  const ids = new Set<string>();
  const add = (id: unknown) => {
    if (typeof id === 'string' || typeof id === 'number') ids.add(String(id));
  };
  const entries = isObject(body) && Array.isArray(body.entry) ? body.entry : [];
  for (const entry of entries) {
    if (!isObject(entry)) continue;
    add(entry.id);
    const events = Array.isArray(entry.messaging) ? entry.messaging : [];
    for (const event of events) {
      if (!isObject(event) || (isObject(event.message) && event.message.is_echo === true)) continue;
      if (isObject(event.recipient)) add(event.recipient.id);
    }
  }
  return capped(ids);
}

function capped(ids: Set<string>): string[] {
  if (ids.size > MAX_ACCOUNTS)
    throw HeraldError.invalid('entry', `a webhook may name at most ${MAX_ACCOUNTS} accounts`);
  return [...ids];
}
