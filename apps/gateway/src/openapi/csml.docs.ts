import { applyDecorators } from '@nestjs/common';
import {
  ApiBody,
  ApiHeader,
  ApiOperation,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ERROR_BODY, IDEMPOTENCY_HEADER_DOC } from './error.schemas.js';
import { CSML_EXAMPLES } from './examples.js';

export const CsmlDocs = {
  controller: () => ApiTags('CSML-style broadcasts (seed 003)'),
  post: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Trigger a flow (a block, by id or name) for one client',
        description:
          'Queued, usually sent within a second. An unknown user is not an error: the run shows them as skipped. metadata is echoed and usable ' +
          'in the block as {{payload.<key>}}.',
      }),
      ApiSecurity('x-api-key'),
      ApiHeader(IDEMPOTENCY_HEADER_DOC),
      ApiBody({ schema: { type: 'object' }, examples: CSML_EXAMPLES }),
      ApiResponse({
        status: 200,
        example: {
          request_id: '57d2d4ab-6994-4449-82bf-206619d9d063',
          client: {
            user_id: 'some-user-id',
            bot_id: 'bc5de819-e4c5-463e-9090-5648fac3a570',
            channel_id: 'b1f74f8d-99b6-40b2-ad64-00ec364bae23',
          },
          payload: {
            content_type: 'flow_trigger',
            content: { flow_id: 'myflow', close_flows: true },
          },
          metadata: { somekey: 'somevalue' },
        },
      }),
      ApiResponse({ status: 400, schema: ERROR_BODY }),
      ApiResponse({ status: 401, schema: ERROR_BODY }),
      ApiResponse({
        status: 429,
        description:
          "Over the bot's CSML quota (HERALD_QUOTA_CSML_PER_SECOND, across instances), or this address failed authentication too often; see Retry-After.",
        schema: ERROR_BODY,
      }),
    ),
};
