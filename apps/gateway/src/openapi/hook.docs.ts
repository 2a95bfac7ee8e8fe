import { applyDecorators } from '@nestjs/common';
import {
  ApiBody,
  ApiExcludeEndpoint,
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ERROR_BODY, IDEMPOTENCY_HEADER_DOC } from './error.schemas.js';
import { HOOK_EXAMPLES } from './examples.js';

const ACCEPTED = {
  type: 'object',
  properties: {
    success: { type: 'boolean', example: true },
    run_id: { type: 'string', format: 'uuid' },
    scheduled_for: { type: 'string', format: 'date-time' },
  },
};

const common = () =>
  applyDecorators(
    ApiParam({
      name: 'hookKey',
      type: String,
      description: "The secret part of the broadcast's hook URL (admin API: hookKey / hookUrl).",
    }),
    ApiHeader({
      name: 'Authorization',
      required: false,
      description: 'Bearer <bot token>; not needed in directMode.',
    }),
    ApiQuery({ name: 'token', required: false, description: 'The bot token, in legacyMode only.' }),
    ApiResponse({
      status: 200,
      description: 'Accepted: durably queued in Kafka.',
      schema: ACCEPTED,
    }),
    ApiResponse({
      status: 401,
      description: "No bot token, or a revoked one, or another bot's.",
      schema: ERROR_BODY,
    }),
    ApiResponse({
      status: 403,
      description: "The caller's address is not in allowedHosts.",
      schema: ERROR_BODY,
    }),
    ApiResponse({
      status: 404,
      description: 'Unknown hook key, or the broadcast is disabled.',
      schema: ERROR_BODY,
    }),
    ApiResponse({
      status: 405,
      description: 'This verb is switched off for the broadcast.',
      schema: ERROR_BODY,
    }),
    ApiResponse({
      status: 429,
      description:
        "Over the bot's hook quota (HERALD_QUOTA_HOOK_PER_SECOND, across instances), or this address failed authentication too often; see Retry-After.",
      schema: ERROR_BODY,
    }),
    ApiResponse({
      status: 503,
      description:
        'Kafka did not acknowledge (nothing was started), or the database or Kafka is not answering (see Retry-After). Retry, with the same Idempotency-Key.',
      schema: ERROR_BODY,
    }),
  );

export const HookDocs = {
  controller: () => ApiTags('On-demand hook (seeds 000/001)'),
  post: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Launch the broadcast with a payload',
        description:
          'Payload modes: audience and values, targets, set_conversation, delayminutes in any mode; with requireValidFilter off, any JSON ' +
          '(forwarded as {{payload.x}}). The body may not exceed 1 MiB.',
      }),
      common(),
      ApiHeader(IDEMPOTENCY_HEADER_DOC),
      ApiBody({ schema: { type: 'object', additionalProperties: true }, examples: HOOK_EXAMPLES }),
      ApiResponse({
        status: 400,
        description:
          'Malformed JSON or a payload that builds no valid filter; the message names the field.',
        schema: ERROR_BODY,
      }),
      ApiResponse({
        status: 409,
        description: 'A request with this Idempotency-Key is still in progress.',
        schema: ERROR_BODY,
      }),
      ApiResponse({ status: 413, description: 'The body is over 1 MiB.', schema: ERROR_BODY }),
    ),
  get: () =>
    applyDecorators(
      ApiOperation({ summary: 'Launch the broadcast with its saved audience' }),
      common(),
    ),
  hidden: () => ApiExcludeEndpoint(),
};
