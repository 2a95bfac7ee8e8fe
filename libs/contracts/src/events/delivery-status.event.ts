import { Type, type Static } from '@sinclair/typebox';
import { ChannelSchema, SignedForBots, Timestamp } from './common.schema.js';

export const PROVIDER_STATUSES = ['delivered', 'read', 'failed'] as const;
export type ProviderStatus = (typeof PROVIDER_STATUSES)[number];

export const DeliveryStatusReportSchema = Type.Object(
  {
    channel: ChannelSchema,
    account: Type.String({
      minLength: 1,
      maxLength: 128,
      description:
        'The provider account the webhook names: WhatsApp phone number id, Twilio AccountSid or Messenger Page id.',
    }),
    recipient: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'wa_id, E.164 number or Messenger PSID the status is about.',
    }),
    botIds: SignedForBots,
    status: Type.Union(PROVIDER_STATUSES.map((s) => Type.Literal(s))),
    providerMessageId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: 'wamid, Message SID or Messenger mid; absent for watermark events.',
      }),
    ),
    watermark: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'Messenger: every message sent to the recipient up to this time has the status (delivery and read watermarks).',
      }),
    ),
    code: Type.Optional(
      Type.String({ maxLength: 64, description: 'Provider error code of a failure.' }),
    ),
    reason: Type.Optional(
      Type.String({ maxLength: 1024, description: 'Provider error text of a failure.' }),
    ),
    at: Timestamp,
    attempt: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'Times the status was already set aside because no delivery matched it yet.',
      }),
    ),
  },
  {
    $id: 'https://herald.dev/schemas/delivery.status.v1.json',
    title: 'DeliveryStatusReport',
    description:
      "A provider's status webhook (delivered, read, failed), verified by the gateway. Keyed by recipient so one person's statuses stay in order.",
  },
);
export type DeliveryStatusReport = Static<typeof DeliveryStatusReportSchema>;
