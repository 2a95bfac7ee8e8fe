import { Type, type Static } from '@sinclair/typebox';
import { INPUT_LIMITS } from '../input-limits.js';
import {
  Audience,
  DeliveryOptions,
  Message,
  Target,
  Timestamp,
  Uuid,
  InputVariables,
} from './common.schema.js';

export const BROADCAST_SOURCES = [
  'hook',
  'execute',
  'chatfuel-v1',
  'chatfuel-v2',
  'csml',
  'event',
] as const;

export const BroadcastRequestedSchema = Type.Object(
  {
    runId: Uuid,
    botId: Uuid,
    broadcastId: Type.Optional(Uuid),
    source: Type.Union(BROADCAST_SOURCES.map((s) => Type.Literal(s))),
    requestedAt: Timestamp,
    scheduledFor: Type.Optional(Timestamp),
    content: Type.Optional(
      Type.Object({
        blockId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
        messages: Type.Optional(Type.Array(Message, { minItems: 1, maxItems: 10 })),
      }),
    ),
    audience: Type.Optional(Audience),
    targets: Type.Optional(Type.Array(Target, { minItems: 1, maxItems: INPUT_LIMITS.targets })),
    setVariables: Type.Optional(InputVariables),
    payload: Type.Optional(
      Type.Unknown({
        description: `Arbitrary JSON forwarded from the hook; rendered as {{payload.x}}. At most ${INPUT_LIMITS.payloadBytes} bytes as JSON.`,
      }),
    ),
    options: Type.Optional(DeliveryOptions),
  },
  {
    $id: 'https://herald.dev/schemas/broadcast.requested.v1.json',
    title: 'BroadcastRequested',
    description:
      'Ask Herald to run a broadcast. Needs broadcastId or content. Without targets or audience, the ' +
      "broadcast's saved audience is used (all the bot's contacts when it has none).",
  },
);
export type BroadcastRequested = Static<typeof BroadcastRequestedSchema>;
