import type { SchemaObject } from '@nestjs/swagger';

export const ERROR_BODY: SchemaObject = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'correlationId'],
      properties: {
        code: { type: 'string', example: 'INVALID_INPUT' },
        message: {
          type: 'string',
          example: 'audience_values has 1 entries but audience_filters has 2',
        },
        field: { type: 'string', example: 'audience_values' },
        fix: { type: 'string' },
        correlationId: { type: 'string', format: 'uuid' },
      },
    },
  },
};

export const CHATFUEL_BODY: SchemaObject = {
  type: 'object',
  required: ['success'],
  properties: { success: { type: 'boolean' }, result: { type: 'string' } },
};

export const IDEMPOTENCY_HEADER_DOC = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'The same key for the same bot within 24 h returns the first answer (marked Idempotent-Replayed: true) and starts nothing new.',
};
