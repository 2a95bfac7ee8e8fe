import { Type, type Static } from '@sinclair/typebox';
import { DeliveryOptions, Message, Target, Uuid, InputVariables } from './common.schema.js';

export const TargetResolvedSchema = Type.Object(
  {
    runId: Uuid,
    botId: Uuid,
    broadcastId: Type.Optional(Uuid),
    page: Type.Integer({
      minimum: 0,
      description: 'Sequence of this page within the run; (runId, page) is unique.',
    }),
    targets: Type.Array(Target, { minItems: 1, maxItems: 5000 }),
    messages: Type.Array(Message, { minItems: 1, maxItems: 10 }),
    setVariables: Type.Optional(InputVariables),
    payload: Type.Optional(Type.Unknown()),
    options: Type.Optional(DeliveryOptions),
  },
  {
    $id: 'https://herald.dev/schemas/target.resolved.v1.json',
    title: 'TargetResolved',
    description: 'One page of the people a run reaches, with the content to send them.',
  },
);
export type TargetResolved = Static<typeof TargetResolvedSchema>;
