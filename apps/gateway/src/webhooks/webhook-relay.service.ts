import { Injectable } from '@nestjs/common';
import {
  Topics,
  deliveryStatusTopicFor,
  type ContactInbound,
  type DeliveryStatusReport,
} from '@herald/contracts';
import { ErrorCode, HeraldError } from '@herald/errors';
import { EventPublisher } from '@herald/kafka';
import { parseMessengerWebhook } from './messenger-webhook.parser.js';
import { parseTwilioWebhook } from './twilio-webhook.parser.js';
import { WebhookConfig } from './webhook.config.js';
import type { WebhookEvents } from './webhook-events.js';
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

/**
 * Verifies provider webhooks as each provider signs them and relays what they say to Kafka:
 * statuses to the channel's delivery service (which owns the delivery rows), people writing in
 * to the contact service (which owns contacts). Answers only once Kafka has acknowledged.
 */
@Injectable()
export class WebhookRelayService {
  constructor(
    private readonly config: WebhookConfig,
    private readonly publisher: EventPublisher,
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
    this.checkMeta(request);
    await this.relay(parseWhatsAppWebhook(request.body));
  }

  async messenger(request: SignedRequest): Promise<void> {
    this.checkMeta(request);
    await this.relay(parseMessengerWebhook(request.body));
  }

  async twilio(request: TwilioRequest): Promise<void> {
    const tokens = this.config.required(this.config.twilioAuthTokens, 'TWILIO_AUTH_TOKEN');
    if (!request.rawBody)
      throw HeraldError.invalid(
        'body',
        'Twilio webhooks are form-encoded (application/x-www-form-urlencoded)',
      );
    const params = [...new URLSearchParams(request.rawBody.toString('utf8'))];
    const urls = [
      request.url,
      ...(this.config.publicUrl ? [this.config.publicUrl + request.path] : []),
    ];
    if (!twilioSignatureValid(tokens, urls, params, request.signature)) {
      throw new HeraldError(
        ErrorCode.Unauthorized,
        'X-Twilio-Signature is missing or does not match this URL and body',
        {
          fix: 'Check TWILIO_AUTH_TOKEN, and WEBHOOK_PUBLIC_URL when a proxy changes the URL Twilio calls.',
        },
      );
    }
    await this.relay(parseTwilioWebhook(params));
  }

  private checkMeta(request: SignedRequest): void {
    const secrets = this.config.required(this.config.metaAppSecrets, 'META_APP_SECRET');
    if (!request.rawBody)
      throw HeraldError.invalid('body', 'Meta webhooks are JSON (application/json)');
    if (!metaSignatureValid(secrets, request.rawBody, request.signature)) {
      throw new HeraldError(
        ErrorCode.Unauthorized,
        'X-Hub-Signature-256 is missing or does not match the body',
        {
          fix: 'Check META_APP_SECRET: it must be the App Secret of the Meta app sending these webhooks.',
        },
      );
    }
  }

  private async relay({ statuses, inbound }: WebhookEvents): Promise<void> {
    const byTopic = new Map<ReturnType<typeof deliveryStatusTopicFor>, DeliveryStatusReport[]>();
    for (const status of statuses) {
      const topic = deliveryStatusTopicFor(status.channel);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), status]);
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
            inbound.map((data: ContactInbound) => ({ key: data.sender, data })),
          )
        : Promise.resolve(),
    ]);
  }
}
