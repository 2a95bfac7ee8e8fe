// A provider account's config, one TypeBox schema per channel: its required fields, its secrets
// (`writeOnly`: sealed at rest, never shown again) and the fix a refusal gives. The admin API
// validates a channel with it, the OpenAPI document shows it, and the delivery apps read an
// account's stored settings through it, typed. Also the one "templates only on WhatsApp" rule.
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { Channel } from './topics.js';

const secret = (description: string) =>
  Type.String({ minLength: 1, maxLength: 1024, writeOnly: true, description });
const accountId = (description: string) => Type.String({ minLength: 1, description });

const baseUrl = Type.Optional(
  Type.String({
    description:
      "The provider's base URL (https in production): the provider sandbox locally when unset.",
  }),
);
const messagesPerSecond = Type.Optional(
  Type.Union([Type.Number(), Type.String()], {
    description:
      "The account's send rate in messages per second (a number, or a numeric string); the channel's default when unset or not positive.",
  }),
);
const apiVersion = Type.Optional(
  Type.String({ minLength: 1, description: 'The Graph API version (default v21.0).' }),
);
const appSecret = Type.Optional(
  secret(
    "The App Secret of the Meta app the account belongs to: verifies the account's webhooks (META_APP_SECRET when unset).",
  ),
);
const windowFlag = (description: string, deprecated = false) =>
  Type.Optional(
    Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false')], {
      description,
      ...(deprecated ? { deprecated: true } : {}),
    }),
  );
const enforceCustomerServiceWindow = windowFlag(
  "Default true: free-form messages only within 24 hours of the person's last message. Set false only for a provider or sandbox that allows messaging anyone.",
);
const enforceWindow = windowFlag('The earlier name of enforceCustomerServiceWindow.', true);

// Property order is the order fields are checked and named in a refusal.
export const WhatsAppAccountConfig = Type.Object(
  {
    phoneNumberId: accountId('The WhatsApp Business phone number id the account sends from.'),
    accessToken: secret('A system user access token with whatsapp_business_messaging.'),
    appSecret,
    baseUrl,
    apiVersion,
    messagesPerSecond,
    enforceCustomerServiceWindow,
    enforceWindow,
  },
  { title: 'WhatsAppAccountConfig' },
);

export const SmsAccountConfig = Type.Object(
  {
    accountSid: accountId('The Twilio Account SID.'),
    authToken: secret("The Twilio account's auth token (also verifies its webhooks)."),
    from: Type.Optional(
      Type.String({ description: 'The sender number (or messagingServiceSid).' }),
    ),
    messagingServiceSid: Type.Optional(
      Type.String({ description: 'The Messaging Service that picks the sender (or from).' }),
    ),
    baseUrl,
    messagesPerSecond,
    statusCallbackUrl: Type.Optional(
      Type.String({
        description:
          "Where Twilio posts each message's statuses (the gateway's /webhooks/twilio), sent as StatusCallback.",
      }),
    ),
  },
  { title: 'SmsAccountConfig' },
);

export const MessengerAccountConfig = Type.Object(
  {
    pageId: accountId('The Facebook Page id the account sends as.'),
    pageAccessToken: secret("The Page's access token."),
    appSecret,
    baseUrl,
    apiVersion,
    messagesPerSecond,
    enforceCustomerServiceWindow,
    enforceWindow,
  },
  { title: 'MessengerAccountConfig' },
);

interface AccountConfigSpec<S extends TObject> {
  schema: S;
  /** How people name the channel in a refusal. */
  label: string;
  /** The provider, when the channel's name does not say it. */
  provider?: string;
  /** How a sentence says "sent on this channel". */
  via: string;
  /** At least one of these must be given (a non-empty string). */
  oneOf?: readonly string[];
}

export const ACCOUNT_CONFIGS = {
  whatsapp: {
    schema: WhatsAppAccountConfig,
    label: 'WhatsApp',
    via: 'on WhatsApp',
  },
  sms: {
    schema: SmsAccountConfig,
    label: 'SMS',
    provider: 'Twilio',
    via: 'by SMS',
    oneOf: ['from', 'messagingServiceSid'],
  },
  messenger: {
    schema: MessengerAccountConfig,
    label: 'Messenger',
    via: 'on Messenger',
  },
} as const satisfies { [C in Channel]: AccountConfigSpec<TObject> };

type Schemas = { [C in Channel]: (typeof ACCOUNT_CONFIGS)[C]['schema'] };
type SecretKeys<S extends TObject> = {
  [K in keyof S['properties']]: S['properties'][K] extends { writeOnly: true } ? K : never;
}[keyof S['properties']];

/** A channel's account config as the admin API takes it, secrets included. */
export type AccountConfig<C extends Channel> = Static<Schemas[C]>;
/**
 * What a delivery app reads from a stored account (its `config`; the secrets are in its
 * credentials): every field optional, as a stored row may predate a field.
 */
export type AccountSettings<C extends Channel> = Partial<
  Omit<AccountConfig<C>, SecretKeys<Schemas[C]>>
>;

const names = (schema: TObject, keep: (name: string, field: TSchema) => boolean) =>
  Object.entries(schema.properties)
    .filter(([name, field]) => keep(name, field))
    .map(([name]) => name);

interface AccountRules {
  /** Fields that must be non-empty strings, in the order they are checked. */
  required: readonly string[];
  /** Fields sealed at rest as credentials, never shown again. */
  secrets: readonly string[];
  /** At least one of these must be given. */
  oneOf: readonly string[];
  /** The fix a refusal of this channel's config gives. */
  fix: string;
}

function rulesOf(spec: AccountConfigSpec<TObject>): AccountRules {
  const required = spec.schema.required ?? [];
  const oneOf = spec.oneOf ?? [];
  const optional = names(
    spec.schema,
    (name, field) => !required.includes(name) && !oneOf.includes(name) && field.deprecated !== true,
  );
  const quoted = (list: readonly string[]) => list.map((name) => `"${name}"`);
  const needs = [
    ...quoted(required),
    ...(oneOf.length > 0 ? [`and ${quoted(oneOf).join(' or ')}`] : []),
  ];
  return {
    required,
    secrets: names(spec.schema, (_, field) => field.writeOnly === true),
    oneOf,
    fix: `${spec.label}${spec.provider ? ` (${spec.provider})` : ''} needs {${needs.join(', ')}}; optional ${quoted(optional).join(', ')}.`,
  };
}

/** Each channel's admin rules, derived from its schema. */
export const ACCOUNT_RULES: { readonly [C in Channel]: AccountRules } = {
  whatsapp: rulesOf(ACCOUNT_CONFIGS.whatsapp),
  sms: rulesOf(ACCOUNT_CONFIGS.sms),
  messenger: rulesOf(ACCOUNT_CONFIGS.messenger),
};

const settingsSchema = (schema: TObject) =>
  Type.Partial(
    Type.Omit(
      schema,
      names(schema, (_, field) => field.writeOnly === true),
    ),
  );
const settingsChecks: { [C in Channel]: TypeCheck<TObject> } = {
  whatsapp: TypeCompiler.Compile(settingsSchema(WhatsAppAccountConfig)),
  sms: TypeCompiler.Compile(settingsSchema(SmsAccountConfig)),
  messenger: TypeCompiler.Compile(settingsSchema(MessengerAccountConfig)),
};

// The admin API checks the fields a config gives (its required fields by ACCOUNT_RULES, before).
const givenChecks: { [C in Channel]: TypeCheck<TObject> } = {
  whatsapp: TypeCompiler.Compile(Type.Partial(WhatsAppAccountConfig)),
  sms: TypeCompiler.Compile(Type.Partial(SmsAccountConfig)),
  messenger: TypeCompiler.Compile(Type.Partial(MessengerAccountConfig)),
};

const fieldOf = (path: string | undefined) =>
  path ? `config${path.replaceAll('/', '.')}` : 'config';

/**
 * The first field of `config` its channel's schema refuses, and why; undefined when every field
 * it gives has its type (required fields are ACCOUNT_RULES' to check: a change names only some).
 */
export function accountConfigProblem(
  channel: Channel,
  config: Record<string, unknown>,
): { field: string; message: string } | undefined {
  if (givenChecks[channel].Check(config)) {
    return undefined;
  }
  const first = givenChecks[channel].Errors(config).First();
  const field = fieldOf(first?.path);
  return { field, message: `${field}: ${first?.message ?? 'is invalid'}` };
}

export type SettingsRead<C extends Channel> =
  { ok: true; settings: AccountSettings<C> } | { ok: false; problem: string };

// A delivery app reads one account's settings once per stored row it loaded, not once per send.
const reads: { [C in Channel]: WeakMap<object, SettingsRead<C>> } = {
  whatsapp: new WeakMap(),
  sms: new WeakMap(),
  messenger: new WeakMap(),
};

function isSettingsOf<C extends Channel>(
  channel: C,
  config: Record<string, unknown>,
): config is AccountSettings<C> {
  return settingsChecks[channel].Check(config);
}

/** A stored account's settings, typed by its channel's schema, or what is wrong with them. */
export function accountSettings<C extends Channel>(
  channel: C,
  config: Record<string, unknown>,
): SettingsRead<C> {
  const known = reads[channel].get(config);
  if (known) {
    return known;
  }
  let read: SettingsRead<C>;
  if (isSettingsOf(channel, config)) read = { ok: true, settings: config };
  else {
    const first = settingsChecks[channel].Errors(config).First();
    const field = fieldOf(first?.path);
    read = {
      ok: false,
      problem: `the ${ACCOUNT_CONFIGS[channel].label} channel's ${field} is invalid (${first?.message ?? 'unexpected value'}); fix the channel's config: ${ACCOUNT_RULES[channel].fix}`,
    };
  }
  reads[channel].set(config, read);
  return read;
}

/** The one "templates only on WhatsApp" rule: the channels that send WhatsApp templates. */
export const TEMPLATE_CHANNELS = ['whatsapp'] as const satisfies readonly Channel[];
export type TemplateChannel = (typeof TEMPLATE_CHANNELS)[number];
/** The channels that send text only. */
export type TextOnlyChannel = Exclude<Channel, TemplateChannel>;

export function sendsTemplates(channel: Channel): channel is TemplateChannel {
  return (TEMPLATE_CHANNELS as readonly Channel[]).includes(channel);
}

/** Why a template is refused on a text-only channel, for a person to act on. */
export function templateRefusal(channel: TextOnlyChannel): string {
  return `WhatsApp templates cannot be sent ${ACCOUNT_CONFIGS[channel].via}; give this broadcast a text message`;
}

/** Where templates may be sent, named for a person ("WhatsApp"). */
export const TEMPLATE_CHANNEL_NAMES = TEMPLATE_CHANNELS.map((c) => ACCOUNT_CONFIGS[c].label).join(
  ', ',
);

/** A JSON Schema as OpenAPI 3.0 takes it: plain JSON, `const` as a one-value enum. */
function openApi3(schema: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key === 'const' ? 'enum' : key] = key === 'const' ? [value] : openApi3Value(value);
  }
  return out;
}

function openApi3Value(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(openApi3Value);
  }
  return typeof value === 'object' && value !== null ? openApi3(value) : value;
}

/** Each channel's account-config schema for the OpenAPI document (secrets are writeOnly). */
export const ACCOUNT_CONFIG_DOCS: { readonly [C in Channel]: Record<string, unknown> } = {
  whatsapp: openApi3(WhatsAppAccountConfig),
  sms: openApi3(SmsAccountConfig),
  messenger: openApi3(MessengerAccountConfig),
};
