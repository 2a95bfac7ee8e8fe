import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
  ArrayMaxSize,
  ArrayMinSize,
  ValidateBy,
} from 'class-validator';
import {
  ACCOUNT_CONFIG_DOCS,
  ACCOUNT_RULES,
  CHANNELS,
  TEMPLATE_CHANNEL_NAMES,
  parseSendWindow,
  type Channel,
  type SendWindow,
} from '@herald/contracts';

export class CreateBotDto {
  @ApiProperty({ example: 'Shop bot', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({
    description: 'Chatfuel-style V1 API requests per second (default 25).',
    example: 25,
    minimum: 1,
    maximum: 1000,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  rateLimitRps?: number;
}

export class UpdateBotDto {
  @ApiPropertyOptional({ example: 'Shop bot (EU)', minLength: 1, maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({
    description: 'Chatfuel-style V1 API requests per second.',
    example: 50,
    minimum: 1,
    maximum: 1000,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  rateLimitRps?: number;
}

export class CreateTokenDto {
  @ApiPropertyOptional({ example: 'crm-integration', maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;
}

export class CreateChannelDto {
  @ApiProperty({ enum: CHANNELS, example: 'whatsapp' })
  @IsIn(CHANNELS, { message: `type must be one of ${CHANNELS.join(', ')}` })
  type!: Channel;

  @ApiProperty({
    description:
      `The provider account, by type (one schema each). ${CHANNELS.map((c) => ACCOUNT_RULES[c].fix).join(' ')} ` +
      'Credentials (writeOnly) are stored sealed and never shown again.',
    oneOf: CHANNELS.map((c) => ACCOUNT_CONFIG_DOCS[c]),
    example: { phoneNumberId: '1065550001', accessToken: 'EAAG...' },
  })
  @IsObject()
  config!: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      "Provider failover: the order in which the bot's accounts of this type send (lowest first). A send goes through the first " +
      'account whose breaker is not open; when it refuses for account reasons (outage, throughput, authentication, suspension, quota) ' +
      'the same message goes through the next account at once, and traffic returns to the first once it recovers. Default: after the ' +
      "bot's existing accounts of this type (the first account gets 0). Two accounts of one type cannot share a priority (409).",
    minimum: 0,
    maximum: 1000,
    example: 1,
  })
  @IsOptional()
  @IsInt({ message: 'priority must be an integer from 0 to 1000' })
  @Min(0, { message: 'priority must be an integer from 0 to 1000' })
  @Max(1000, { message: 'priority must be an integer from 0 to 1000' })
  priority?: number;
}

export class CreateBlockDto {
  @ApiProperty({ example: 'order_shipped', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({
    description:
      'Text with {{variable}} and {{payload.x}} placeholders, or WhatsApp templates {template: {name, language: {code}, components}}, ' +
      `sent only on ${TEMPLATE_CHANNEL_NAMES} (other channels fail such a message as UNSUPPORTED).`,
    example: [{ text: 'Hello {{first_name}}, your order {{order_id}} has shipped.' }],
    type: 'array',
    items: { type: 'object' },
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  messages!: unknown[];
}

export class BroadcastSettingsDto {
  @ApiPropertyOptional({ default: true, description: 'Off: the hook answers 404.' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ default: false, description: 'On: the hook needs no bot token.' })
  @IsOptional()
  @IsBoolean()
  directMode?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  allowGet?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  allowPost?: boolean;

  @ApiPropertyOptional({
    default: true,
    description:
      'On: a POST body must build a filter, targets or set_conversation. Off: any JSON is forwarded as payload.',
  })
  @IsOptional()
  @IsBoolean()
  requireValidFilter?: boolean;

  @ApiPropertyOptional({
    default: false,
    description: 'Always target one conversation, whatever the payload or audience holds.',
  })
  @IsOptional()
  @IsBoolean()
  singleContact?: boolean;

  @ApiPropertyOptional({
    default: false,
    description: 'Also accept the bot token as ?token= (integrations of the previous version).',
  })
  @IsOptional()
  @IsBoolean()
  legacyMode?: boolean;

  @ApiPropertyOptional({
    type: [String],
    example: ['203.0.113.0/24', '198.51.100.7'],
    description: 'IPs / CIDRs allowed to call the hook; empty = any.',
  })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @ArrayMaxSize(100)
  allowedHosts?: string[];

  @ApiPropertyOptional({
    default: true,
    description: "The console's execute button (POST /admin/broadcasts/{id}/run).",
  })
  @IsOptional()
  @IsBoolean()
  executeButton?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  visibleToMobileOperators?: boolean;

  @ApiPropertyOptional({
    description:
      "When people may be messaged, in each person's local time (their `timezone` variable, else their phone number's country when it has one zone, else the bot's `timezone`, else UTC). " +
      'Outside it the message is held (status `scheduled` with its time, GET /admin/runs/{runId}/held) and sent when the window opens; the run completes when the last held person is sent. ' +
      "`to` before `from` runs past midnight; `days` (sun … sat) are the days a window may open. Default: the bot's `sendWindow`, else any time.",
    example: { from: '09:00', to: '20:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
  })
  @IsOptional()
  @ValidateBy({
    name: 'sendWindow',
    validator: {
      validate: (value: unknown) => 'window' in parseSendWindow(value, 'settings.sendWindow'),
      defaultMessage: (args) => {
        const parsed = parseSendWindow(args?.value, 'settings.sendWindow');
        return 'problem' in parsed ? parsed.problem : 'settings.sendWindow is not a send window';
      },
    },
  })
  sendWindow?: SendWindow;

  @ApiPropertyOptional({
    description:
      'Channel fallback: the channels to reach a person on, in order. When the first cannot reach them for a "not here" reason ' +
      '(not a WhatsApp user 131026, the 24-hour window closed without a template, an invalid or unreachable number) and the bot has the next channel, ' +
      'Herald sends there once, to their number (their contact on the next channel is found or created). The person counts once in the run ' +
      '(counts.fellBack says how many moved); their first row shows fallbackTo and the reason, the next fallbackFrom. ' +
      'WhatsApp and SMS only (Messenger ids are not phone numbers); an SMS STOP is never routed around.',
    example: ['whatsapp', 'sms'],
    type: [String],
    enum: ['whatsapp', 'sms'],
  })
  @IsOptional()
  @ValidateBy({
    name: 'fallback',
    validator: {
      validate: (value: unknown) => fallbackProblem(value) === undefined,
      defaultMessage: (args) =>
        fallbackProblem(args?.value) ?? 'settings.fallback is not a channel list',
    },
  })
  fallback?: Array<'whatsapp' | 'sms'>;
}

/** Why `value` is not a channel fallback order (two distinct phone channels), or undefined. */
function fallbackProblem(value: unknown): string | undefined {
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    value.some((c) => c !== 'whatsapp' && c !== 'sms') ||
    value[0] === value[1]
  ) {
    return 'settings.fallback must list whatsapp and sms once each, in the order to try them, e.g. ["whatsapp", "sms"] (Messenger ids are not phone numbers, so Messenger cannot take part)';
  }
  return undefined;
}

export class CreateBroadcastDto {
  @ApiProperty({ example: 'Order shipped', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({
    description: '{"blockId": "<block id or name>"} or {"messages": [...]}',
    example: { messages: [{ text: 'Hello {{first_name}}' }] },
  })
  @IsObject()
  content!: Record<string, unknown>;

  @ApiPropertyOptional({
    description: "The saved audience (the hook's criteria); none = all the bot's contacts.",
    example: {
      filters: [{ field: 'favorite_color', criteria: 'Equals', value: 'red' }],
      joins: [],
    },
  })
  @IsOptional()
  @IsObject()
  audience?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'From-API recipients (seed 004).',
    example: {
      source: 'custom_api',
      endpoint: 'https://crm.example.com/broadcast-list',
      headers: { authorization: 'Bearer ...' },
    },
  })
  @IsOptional()
  @IsObject()
  recipients?: Record<string, unknown>;

  @ApiPropertyOptional({ type: BroadcastSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => BroadcastSettingsDto)
  settings?: BroadcastSettingsDto;
}

/** Every field optional; `audience` and `recipients` take null to remove them; settings merge. */
export class UpdateBroadcastDto {
  @ApiPropertyOptional({ example: 'Order shipped (v2)', minLength: 1, maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ example: { blockId: 'order_shipped' } })
  @IsOptional()
  @IsObject()
  content?: Record<string, unknown>;

  @ApiPropertyOptional({
    nullable: true,
    description: 'null removes the saved audience (all contacts).',
  })
  @IsOptional()
  @IsObject()
  audience?: Record<string, unknown> | null;

  @ApiPropertyOptional({ nullable: true, description: 'null removes the From-API recipients.' })
  @IsOptional()
  @IsObject()
  recipients?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: BroadcastSettingsDto,
    description: 'Only the given settings change.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => BroadcastSettingsDto)
  settings?: BroadcastSettingsDto;
}
