// The body of a CSML-style broadcast (seed 003): `payload` {content_type: "flow_trigger",
// content: {flow_id, close_flows?}}, `client` {user_id, channel_id?}, `metadata`. Pure, so each
// rule is unit-tested.
import { INPUT_LIMITS, jsonSizeProblem } from '@herald/contracts';
import { HeraldError } from '@herald/errors';

export const CONTENT_TYPES = ['flow_trigger'] as const;

export interface CsmlBroadcast {
  flowId: string;
  closeFlows: boolean;
  userId: string;
  channelId?: string;
  botId?: string;
  metadata?: Record<string, unknown>;
}

const EXAMPLE =
  'Send {"payload": {"content_type": "flow_trigger", "content": {"flow_id": "<block id or name>"}}, "client": {"user_id": "<user id>"}}.';

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw HeraldError.invalid(field, `${field} must be an object.`, EXAMPLE);
  return value as Record<string, unknown>;
}

function only(fields: Record<string, unknown>, allowed: string[], where: string): void {
  const extra = Object.keys(fields).filter((k) => !allowed.includes(k));
  if (extra.length > 0) {
    const path = where ? `${where}.${extra[0]}` : extra[0];
    throw HeraldError.invalid(
      path,
      `Unknown field ${path}.`,
      `${where || 'The body'} takes: ${allowed.join(', ')}.`,
    );
  }
}

function id(value: unknown, field: string, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw HeraldError.invalid(field, `${field} is required.`, EXAMPLE);
    return undefined;
  }
  if (typeof value !== 'string' && typeof value !== 'number')
    throw HeraldError.invalid(field, `${field} must be a string.`);
  const text = String(value).trim();
  if (text.length === 0 || text.length > INPUT_LIMITS.userId)
    throw HeraldError.invalid(field, `${field} must be 1 to ${INPUT_LIMITS.userId} characters.`);
  return text;
}

export function parseCsmlBroadcast(body: unknown): CsmlBroadcast {
  if (body === undefined) throw HeraldError.invalid('body', 'The body is required.', EXAMPLE);
  const root = object(body, 'body');
  only(root, ['payload', 'client', 'metadata'], '');
  const payload = object(root.payload ?? null, 'payload');
  only(payload, ['content_type', 'content'], 'payload');
  if (payload.content_type === undefined)
    throw HeraldError.invalid('payload.content_type', 'payload.content_type is required.', EXAMPLE);
  if (!(CONTENT_TYPES as readonly unknown[]).includes(payload.content_type)) {
    throw HeraldError.invalid(
      'payload.content_type',
      `payload.content_type ${JSON.stringify(payload.content_type)} is not supported.`,
      `Use one of: ${CONTENT_TYPES.join(', ')}.`,
    );
  }
  const content = object(payload.content ?? null, 'payload.content');
  only(content, ['flow_id', 'close_flows'], 'payload.content');
  const flowId = id(content.flow_id, 'payload.content.flow_id', true)!;
  if (content.close_flows !== undefined && typeof content.close_flows !== 'boolean') {
    throw HeraldError.invalid(
      'payload.content.close_flows',
      'payload.content.close_flows must be true or false.',
    );
  }
  const client = object(root.client ?? null, 'client');
  only(client, ['user_id', 'channel_id', 'bot_id'], 'client');
  const parsed: CsmlBroadcast = {
    flowId,
    closeFlows: content.close_flows ?? true,
    userId: id(client.user_id, 'client.user_id', true)!,
  };
  const channelId = id(client.channel_id, 'client.channel_id', false);
  if (channelId) parsed.channelId = channelId;
  const botId = id(client.bot_id, 'client.bot_id', false);
  if (botId) parsed.botId = botId;
  if (root.metadata !== undefined && root.metadata !== null) {
    parsed.metadata = object(root.metadata, 'metadata');
    const tooLarge = jsonSizeProblem(parsed.metadata, INPUT_LIMITS.metadataBytes, 'metadata');
    if (tooLarge)
      throw HeraldError.invalid(
        tooLarge.field,
        tooLarge.message,
        'Keep large data on your side and send an id in metadata.',
      );
  }
  return parsed;
}
