import { Type, type Static } from '@sinclair/typebox';
import { ChannelSchema, SignedForBots, Timestamp } from './common.schema.js';

export const INBOUND_KEYWORDS = ['opt_out', 'opt_in'] as const;
export type InboundKeyword = (typeof INBOUND_KEYWORDS)[number];

export const ContactInboundSchema = Type.Object(
  {
    channel: ChannelSchema,
    account: Type.String({
      minLength: 1,
      maxLength: 128,
      description:
        'WhatsApp phone number id, Twilio AccountSid or Messenger Page id the person wrote to.',
    }),
    sender: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'Who wrote: wa_id, E.164 number or Messenger PSID.',
    }),
    botIds: SignedForBots,
    to: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'SMS: the number written to (the Twilio sender).',
      }),
    ),
    messagingServiceSid: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'SMS: the Messaging Service the number belongs to.',
      }),
    ),
    messageId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description:
          "The provider's id of the message (Twilio MessageSid, WhatsApp wamid, Messenger mid): a webhook delivered again repeats it, and is then ignored.",
      }),
    ),
    keyword: Type.Optional(
      Type.Union(
        INBOUND_KEYWORDS.map((k) => Type.Literal(k)),
        {
          description:
            'SMS and WhatsApp text: the message was an opt-out (STOP, UNSUBSCRIBE, …) or opt-in (START, YES, UNSTOP) keyword. ' +
            "Applied in the order of `at` (the provider's own time where it sends one): an older keyword never overrides a newer one.",
        },
      ),
    ),
    at: Timestamp,
  },
  {
    $id: 'https://herald.dev/schemas/contact.inbound.v1.json',
    title: 'ContactInbound',
    description:
      'A person wrote to the bot (verified provider webhook): opens the 24-hour window, and an SMS keyword opts them out or back in. ' +
      'Carries no message text. Keyed by sender.',
  },
);
export type ContactInbound = Static<typeof ContactInboundSchema>;
