import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { ALL_TOPICS } from '@herald/contracts';
import { ERROR_BODY } from './error.schemas.js';

const SUMMARY_EXAMPLE = {
  id: '6f1c2a4e-3b5d-4e7f-9a1b-2c3d4e5f6a7b',
  topic: 'delivery.requested.whatsapp.v1',
  sourceTopic: 'delivery.requested.whatsapp.v1.retry.5m',
  at: '2026-12-06T05:00:00.000Z',
  reason: 'gave up after 9 attempts: (#131056) pair rate limit hit',
  class: 'transient',
  code: '131056',
  attempts: 9,
  runId: '0b4a3c1e-1f2a-4b3c-8d4e-5f6a7b8c9d0e',
  botId: '5d6e7f80-9a0b-4c1d-8e2f-3a4b5c6d7e8f',
  key: '1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b',
  replayedAt: null,
  replays: 0,
};

const DETAIL_EXAMPLE = {
  ...SUMMARY_EXAMPLE,
  dlq: { topic: 'delivery.requested.whatsapp.v1.dlq', partition: 1, offset: '42' },
  source: { topic: 'delivery.requested.whatsapp.v1.retry.5m', partition: 1, offset: '17' },
  storedAt: '2026-12-06T05:00:00.120Z',
  headers: {
    ce_id: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
    ce_type: 'dev.herald.delivery.requested.v1',
    traceparent: '00-…',
  },
  value: {
    runId: '0b4a3c1e-1f2a-4b3c-8d4e-5f6a7b8c9d0e',
    contactId: '1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b',
    to: '15550500001',
    attempt: 8,
  },
  valueEncoding: 'json',
  valueBytes: 412,
  valueTruncated: false,
};

const idParam = ApiParam({ name: 'id', description: 'Dead letter id (UUID).' });

export const DeadLetterDocs = {
  list: () =>
    applyDecorators(
      ApiOperation({
        summary:
          'Dead-lettered records, newest first (keyset pages; filters topic, botId, runId). No values or headers: GET one for those.',
      }),
      ApiQuery({
        name: 'topic',
        required: false,
        enum: ALL_TOPICS,
        description: 'Contract topic (without .dlq); retry topics count as theirs.',
      }),
      ApiQuery({ name: 'botId', required: false }),
      ApiQuery({ name: 'runId', required: false }),
      ApiQuery({
        name: 'cursor',
        required: false,
        description: 'nextCursor of the previous page.',
      }),
      ApiQuery({ name: 'limit', required: false, description: '1 to 1000 (default 100).' }),
      ApiResponse({ status: 200, example: { deadLetters: [SUMMARY_EXAMPLE], nextCursor: null } }),
      ApiResponse({
        status: 400,
        description: 'A filter, limit or cursor is malformed.',
        schema: ERROR_BODY,
      }),
    ),
  get: () =>
    applyDecorators(
      ApiOperation({
        summary:
          'One dead letter with its original headers (credentials never stored) and value (secret-named fields shown redacted)',
      }),
      idParam,
      ApiResponse({ status: 200, example: DETAIL_EXAMPLE }),
      ApiResponse({ status: 400, description: 'The id is not a UUID.', schema: ERROR_BODY }),
      ApiResponse({ status: 404, schema: ERROR_BODY }),
    ),
  replay: () =>
    applyDecorators(
      ApiOperation({
        summary:
          'Publish the record again on its contract topic (original key, value and headers, same ce_id). Replaying twice is harmless: deliveries are claimed per (run, contact).',
      }),
      idParam,
      ApiResponse({
        status: 202,
        description: 'Acknowledged by Kafka; the dead letter with replayedAt and replays.',
        example: { ...DETAIL_EXAMPLE, replayedAt: '2026-12-06T05:10:00.000Z', replays: 1 },
      }),
      ApiResponse({ status: 400, description: 'The id is not a UUID.', schema: ERROR_BODY }),
      ApiResponse({ status: 404, schema: ERROR_BODY }),
      ApiResponse({
        status: 409,
        description:
          'The record cannot be replayed as it is (not a valid event of its topic, or larger than the ledger keeps).',
        schema: ERROR_BODY,
      }),
      ApiResponse({
        status: 503,
        description: 'Kafka did not acknowledge the publish; nothing was marked; try again.',
        schema: ERROR_BODY,
      }),
    ),
};
