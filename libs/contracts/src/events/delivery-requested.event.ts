import { Type, type Static } from '@sinclair/typebox';
import { ChannelSchema, Message, Timestamp, Uuid, Variables } from './common.schema.js';

export const DeliveryRequestedSchema = Type.Object(
  {
    runId: Uuid,
    botId: Uuid,
    contactId: Uuid,
    channel: ChannelSchema,
    to: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'E.164 number (WhatsApp, SMS) or page-scoped id (Messenger).',
    }),
    messages: Type.Array(Message, { minItems: 1, maxItems: 10 }),
    variables: Variables,
    payload: Type.Optional(Type.Unknown()),
    lastInboundAt: Type.Optional(Timestamp),
    messagingTag: Type.Optional(Type.String({ maxLength: 64 })),
    notificationMessagesToken: Type.Optional(Type.String({ maxLength: 1024 })),
    oneTimeNotifToken: Type.Optional(Type.String({ maxLength: 1024 })),
    attempt: Type.Integer({
      minimum: 0,
      description: '0 for the first try; raised on each retry.',
    }),
    fallback: Type.Optional(
      Type.Array(ChannelSchema, {
        maxItems: 2,
        description:
          "Channel fallback: where to reach the person next, in order, when this channel cannot reach them (the broadcast's settings.fallback after this channel).",
      }),
    ),
    fallbackFrom: Type.Optional(
      Type.Object(
        {
          channel: ChannelSchema,
          contactId: Uuid,
          code: Type.String({ maxLength: 64 }),
          reason: Type.String({ maxLength: 1024 }),
        },
        {
          description:
            'This delivery is a fallback: the channel that could not reach the person and why. It never falls back again.',
        },
      ),
    ),
    sentMessages: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 10,
        description: 'Messages of `messages` an earlier try already sent; a retry sends the rest.',
      }),
    ),
    pacedUntil: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          "Set by the delivery service when it releases a person it parked behind their provider account's pacing queue (their due time): they take their turn at the account's pace, and are parked again only if the queue in front of them is itself too long.",
      }),
    ),
  },
  {
    $id: 'https://herald.dev/schemas/delivery.requested.v1.json',
    title: 'DeliveryRequested',
    description: 'Send one person their message on one channel. Keyed by contactId.',
  },
);
export type DeliveryRequested = Static<typeof DeliveryRequestedSchema>;
