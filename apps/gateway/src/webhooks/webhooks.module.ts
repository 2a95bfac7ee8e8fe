import { Module } from '@nestjs/common';
import { loadConfig } from '@herald/runtime';
import { RawBodyParser } from './raw-body.parser.js';
import { WebhookConfig } from './webhook.config.js';
import { WebhookRelayService } from './webhook-relay.service.js';
import { WebhookSecretsService } from './webhook-secrets.service.js';
import { WebhooksController } from './webhooks.controller.js';

/** POST /webhooks/{whatsapp,messenger,twilio} (+ Meta's GET handshake). Uses the global Kafka publisher. */
@Module({
  controllers: [WebhooksController],
  providers: [
    // Validated once at boot, failing with every bad variable listed.
    { provide: WebhookConfig, useFactory: () => loadConfig(WebhookConfig, process.env) },
    WebhookRelayService,
    WebhookSecretsService,
    RawBodyParser,
  ],
})
export class WebhooksModule {}
