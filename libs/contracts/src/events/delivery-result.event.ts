import { Type, type Static } from '@sinclair/typebox';
import { ChannelSchema, Timestamp, Uuid } from './common.schema.js';

export const DELIVERY_STATUSES = ['sent', 'delivered', 'read', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const DeliveryResultSchema = Type.Object(
  {
    runId: Uuid,
    botId: Uuid,
    contactId: Type.Optional(Uuid),
    recipient: Type.Optional(
      Type.String({
        maxLength: 256,
        description: 'Who, when there is no contact (skipped targets).',
      }),
    ),
    channel: Type.Optional(ChannelSchema),
    status: Type.Union(DELIVERY_STATUSES.map((s) => Type.Literal(s))),
    reason: Type.Optional(
      Type.String({ maxLength: 1024, description: 'Why it failed or was skipped, for a person.' }),
    ),
    code: Type.Optional(Type.String({ maxLength: 64 })),
    providerMessageId: Type.Optional(Type.String({ maxLength: 256 })),
    segments: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'SMS: billed segments (GSM-7 or UCS-2) of what was sent.',
      }),
    ),
    accountId: Type.Optional(
      Type.String({
        format: 'uuid',
        description:
          "Sent: the bot's channel (provider account) that sent it; a later one than the first when the send failed over.",
      }),
    ),
    failedOver: Type.Optional(
      Type.Boolean({
        description:
          'Sent through a later account because the earlier ones could not (provider failover).',
      }),
    ),
    counted: Type.Optional(
      Type.Boolean({
        description:
          "True when the producer has already counted this result in its run's counts: Herald's delivery services count a person sent or failed in the statement that moves their delivery row, so the run takes each once without a ledger entry. The run-progress fold skips such a result; absent or false, the run counts it from the result, once per person and status.",
      }),
    ),
    at: Timestamp,
  },
  {
    $id: 'https://herald.dev/schemas/delivery.result.v1.json',
    title: 'DeliveryResult',
    description:
      "What happened to one person in a run. Keyed by runId so a run's results stay in order.",
  },
);
export type DeliveryResult = Static<typeof DeliveryResultSchema>;
