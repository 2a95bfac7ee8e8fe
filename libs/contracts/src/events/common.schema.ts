import { Type, type Static } from '@sinclair/typebox';
import { CHANNELS } from '../topics.js';
import { INPUT_LIMITS } from '../input-limits.js';

export const Uuid = Type.String({ format: 'uuid' });

/**
 * The bots a verified provider webhook speaks for: those whose channel naming the account holds
 * the secret that signed it (its app secret, its auth token). Absent on events from before the
 * field: every bot naming the account, as then.
 */
export const SignedForBots = Type.Optional(
  Type.Array(Uuid, {
    maxItems: 10_000,
    uniqueItems: true,
    description:
      "The bots whose channel's secret verified the webhook: it applies to their contacts and deliveries only. " +
      'A bot naming the same provider account with another secret (another tenant) is not among them. ' +
      'Absent (events published before this field): every bot whose channel names the account.',
  }),
);
export const Timestamp = Type.String({ format: 'date-time' });
export const ChannelSchema = Type.Union(
  CHANNELS.map((c) => Type.Literal(c)),
  { description: 'The delivery channel.' },
);

/** Contact variables: flat string values (numbers compare numerically when both sides parse). */
export const Variables = Type.Record(
  Type.String({ minLength: 1, maxLength: INPUT_LIMITS.variableName }),
  Type.String(),
);

/**
 * Variables as callers send them (targets, set_variables): bounded, because they are stored and
 * copied into each person's delivery. Any string of any event must also be valid Unicode text
 * without NUL (no lone UTF-16 surrogate): consumers dead-letter an event that breaks this.
 */
export const InputVariables = Type.Record(
  Type.String({ minLength: 1, maxLength: INPUT_LIMITS.variableName }),
  Type.String({ maxLength: INPUT_LIMITS.variableValue }),
  {
    maxProperties: INPUT_LIMITS.variables,
    description: `At most ${INPUT_LIMITS.variables} variables; names up to ${INPUT_LIMITS.variableName} and values up to ${INPUT_LIMITS.variableValue} characters; valid Unicode text without NUL.`,
  },
);

export const TextMessage = Type.Object(
  {
    text: Type.String({
      minLength: 1,
      maxLength: 4096,
      description: 'May contain {{variable}} and {{payload.x}} placeholders.',
    }),
  },
  { title: 'TextMessage' },
);

export const TemplateMessage = Type.Object(
  {
    template: Type.Object({
      name: Type.String({ minLength: 1, maxLength: 512 }),
      language: Type.Object({
        code: Type.String({ minLength: 2, maxLength: 16 }),
        policy: Type.Optional(Type.Literal('deterministic')),
      }),
      components: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 16 })),
    }),
  },
  {
    title: 'TemplateMessage',
    description: 'An approved WhatsApp template; components as the WhatsApp Cloud API takes them.',
  },
);

export const Message = Type.Union([TextMessage, TemplateMessage], { title: 'Message' });
export type Message = Static<typeof Message>;

export const CRITERIA = [
  'Equals',
  'Different',
  'GreaterThan',
  'LesserThan',
  'Contains',
  'DoesNotContain',
  'StartsWith',
  'DoesNotStartWith',
  'HasValue',
  'EmptyOrUnset',
  'IsLongerThan',
  'IsShorterThan',
] as const;
export type Criterion = (typeof CRITERIA)[number];

export const Filter = Type.Object({
  field: Type.String({ minLength: 1, maxLength: INPUT_LIMITS.variableName }),
  criteria: Type.Union(CRITERIA.map((c) => Type.Literal(c))),
  value: Type.String({ maxLength: INPUT_LIMITS.variableValue }),
});
export type Filter = Static<typeof Filter>;

export const Audience = Type.Object(
  {
    filters: Type.Array(Filter, { minItems: 1, maxItems: INPUT_LIMITS.filters }),
    joins: Type.Optional(
      Type.Array(Type.Union([Type.Literal('AND'), Type.Literal('OR')]), {
        description: 'n-1 operators between the filters; AND binds tighter than OR; default AND.',
      }),
    ),
  },
  { title: 'Audience' },
);
export type Audience = Static<typeof Audience>;

export const DeliveryOptions = Type.Object(
  {
    singleContact: Type.Optional(Type.Boolean()),
    messagingTag: Type.Optional(Type.String({ maxLength: 64 })),
    notificationMessagesToken: Type.Optional(
      Type.String({ maxLength: INPUT_LIMITS.notificationToken }),
    ),
    oneTimeNotifToken: Type.Optional(Type.String({ maxLength: INPUT_LIMITS.notificationToken })),
    priority: Type.Optional(
      Type.Array(Type.Union([Type.Literal('fbid'), Type.Literal('phone'), Type.Literal('email')]), {
        maxItems: 3,
      }),
    ),
    fallback: Type.Optional(
      Type.Array(Type.Union([Type.Literal('whatsapp'), Type.Literal('sms')]), {
        minItems: 2,
        maxItems: 2,
        uniqueItems: true,
        description:
          'Channel fallback, e.g. ["whatsapp", "sms"]: a person the first channel cannot reach ("not here") is sent once on the next (a broadcast\'s settings.fallback when absent).',
      }),
    ),
  },
  { title: 'DeliveryOptions' },
);
export type DeliveryOptions = Static<typeof DeliveryOptions>;

export const Target = Type.Object(
  {
    contactId: Type.Optional(Uuid),
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: INPUT_LIMITS.userId })),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: INPUT_LIMITS.phone })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: INPUT_LIMITS.email })),
    fbid: Type.Optional(Type.String({ minLength: 1, maxLength: INPUT_LIMITS.userId })),
    channel: Type.Optional(ChannelSchema),
    variables: Type.Optional(InputVariables),
    create: Type.Optional(
      Type.Boolean({ description: 'Create the contact when no match exists.' }),
    ),
    message: Type.Optional(
      Type.String({ maxLength: 4096, description: "This person's own text (From-API rows)." }),
    ),
  },
  { title: 'Target' },
);
export type Target = Static<typeof Target>;
