// Builds the AsyncAPI 3 document of Herald's public event contract from the same catalog and
// schemas the code validates with, so the document cannot drift from the code.
import { CATALOG } from './catalog.js';
import { CE_HEADERS } from './cloudevents.js';
import { dlqTopicOf } from './topics.js';

const headersSchema = (ceType: string) => ({
  type: 'object',
  required: [CE_HEADERS.id, CE_HEADERS.type, CE_HEADERS.source, CE_HEADERS.specversion],
  properties: {
    [CE_HEADERS.id]: { type: 'string', description: 'Unique id of this event (CloudEvents `id`).' },
    [CE_HEADERS.type]: { type: 'string', const: ceType, description: 'CloudEvents `type`.' },
    [CE_HEADERS.source]: {
      type: 'string',
      description: 'CloudEvents `source`, e.g. `/herald/gateway` or your service.',
    },
    [CE_HEADERS.specversion]: { type: 'string', const: '1.0' },
    [CE_HEADERS.time]: { type: 'string', format: 'date-time' },
    [CE_HEADERS.contentType]: { type: 'string', const: 'application/json' },
    [CE_HEADERS.traceparent]: {
      type: 'string',
      description: 'W3C trace context, carried across services.',
    },
  },
});

function stripIds(schema: unknown): unknown {
  return JSON.parse(
    JSON.stringify(schema, (key, value: unknown) => (key === '$id' ? undefined : value)),
  );
}

export function buildAsyncApiDocument(version = '1.0.0'): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};

  for (const contract of Object.values(CATALOG)) {
    const id = contract.topic.replaceAll('.', '_');
    const schemaName = (contract.schema as { title?: string }).title ?? id;
    schemas[schemaName] = stripIds(contract.schema);
    messages[id] = {
      name: schemaName,
      title: schemaName,
      summary: contract.summary,
      contentType: 'application/json',
      headers: headersSchema(contract.type),
      payload: { $ref: `#/components/schemas/${schemaName}` },
      bindings: {
        kafka: {
          key: {
            type: 'string',
            ...(contract.key === 'runId' || contract.key === 'contactId' ? { format: 'uuid' } : {}),
            description: `The event's ${contract.key}.`,
          },
          bindingVersion: '0.5.0',
        },
      },
    };
    channels[id] = {
      address: contract.topic,
      title: contract.topic,
      description:
        `${contract.summary} Produced by ${contract.producers.join(', ')}; consumed by ${contract.consumers.join(', ')}. ` +
        `Keyed by ${contract.key}. Invalid events are moved to \`${dlqTopicOf(contract.topic)}\` with the reason in the \`herald_dlq_reason\` header.`,
      messages: { [id]: { $ref: `#/components/messages/${id}` } },
    };
    operations[`publish_${id}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${id}` },
      summary: `Publish ${schemaName}`,
      messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
    };
    operations[`consume_${id}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${id}` },
      summary: `Consume ${schemaName}`,
      messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Herald events',
      version,
      description:
        "Herald's public event contract. Messages are JSON in the CloudEvents 1.0 Kafka binding's binary mode: attributes travel as `ce_*` headers, " +
        'the value is the event data. Topic names carry the contract version; a breaking change gets a new topic. ' +
        'Any internal service may publish `broadcast.requested.v1` itself, keyed by its runId (a UUID it generates).',
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'The local broker started by `npm start`.',
      },
    },
    channels,
    operations,
    components: { messages, schemas },
  };
}
