import { Type, type Static } from '@sinclair/typebox';
import { ChannelSchema, Message, Timestamp, Uuid, Variables } from './common.schema.js';

/**
 * Channel fallback (issue 13): the channel a person was sent on cannot reach them ("not here":
 * not a WhatsApp user, window closed, invalid or unreachable number), and the broadcast lists a
 * next channel the bot has. Contacts are the contact service's, so the delivery service hands
 * the person back: the contact service finds or creates their contact on `next` and requests the
 * delivery there once, marked so it never falls back again. The first channel's outcome is not
 * counted in the run; the person counts once, by the next channel's result.
 */
export const DeliveryFallbackSchema = Type.Object(
  {
    runId: Uuid,
    botId: Uuid,
    broadcastId: Type.Optional(Uuid),
    contactId: Uuid,
    channel: ChannelSchema,
    next: ChannelSchema,
    phone: Type.String({
      minLength: 2,
      maxLength: 32,
      description: "The person's E.164 number, which the next channel reaches.",
    }),
    messages: Type.Array(Message, { minItems: 1, maxItems: 10 }),
    variables: Variables,
    payload: Type.Optional(Type.Unknown()),
    code: Type.String({
      maxLength: 64,
      description: 'Why the first channel could not reach them (provider or rule code).',
    }),
    reason: Type.String({ maxLength: 1024 }),
    at: Timestamp,
  },
  {
    $id: 'https://herald.dev/schemas/delivery.fallback.v1.json',
    title: 'DeliveryFallback',
    description: 'Reach a person on the next channel of their broadcast, once. Keyed by contactId.',
  },
);
export type DeliveryFallback = Static<typeof DeliveryFallbackSchema>;
