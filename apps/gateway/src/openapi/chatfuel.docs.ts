import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { MESSAGING_TAGS } from '../chatfuel/chatfuel-v1-params.parser.js';
import { CHATFUEL_BODY, IDEMPOTENCY_HEADER_DOC } from './error.schemas.js';
import { CHATFUEL_V1_EXAMPLES, CHATFUEL_V2_EXAMPLES } from './examples.js';

export const ChatfuelDocs = {
  v1Controller: () => ApiTags('Chatfuel-style V1 (seed 002)'),
  v2Controller: () => ApiTags('Chatfuel-style V2 (seed 002)'),
  v1: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Send a block to one Messenger user, setting their attributes first',
        description:
          'Parameters in the query or a JSON body. Every other parameter sets a user attribute before rendering; other chatfuel_* names are ' +
          "reserved (400). Answers are always {success, result}. Rate: the bot's rateLimitRps (default 25/s) per gateway instance.",
      }),
      ApiParam({ name: 'botId', type: String, format: 'uuid' }),
      ApiParam({
        name: 'userId',
        description: 'The "messenger user id" (fb_id, a page-scoped id).',
      }),
      ApiQuery({ name: 'bot_token', required: false, description: 'Alias chatfuel_token.' }),
      ApiQuery({ name: 'block_name', required: false, description: 'Alias chatfuel_block_name.' }),
      ApiQuery({ name: 'block_id', required: false, description: 'Alias chatfuel_block_id.' }),
      ApiQuery({
        name: 'messaging_tag',
        required: false,
        enum: MESSAGING_TAGS,
        description: 'Alias chatfuel_message_tag; quotes around it are accepted.',
      }),
      ApiHeader(IDEMPOTENCY_HEADER_DOC),
      ApiBody({
        required: false,
        schema: { type: 'object', additionalProperties: { type: 'string' } },
        examples: CHATFUEL_V1_EXAMPLES,
      }),
      ApiResponse({
        status: 200,
        schema: CHATFUEL_BODY,
        example: {
          success: true,
          result: 'Block "order_shipped" queued for user 2411220000000001 (run ...).',
        },
      }),
      ApiResponse({
        status: 400,
        description: 'Unknown block, bad tag, reserved parameter.',
        schema: CHATFUEL_BODY,
      }),
      ApiResponse({ status: 401, description: 'Bad bot token.', schema: CHATFUEL_BODY }),
      ApiResponse({
        status: 404,
        description: 'Attributes only, for a user who is not a contact.',
        schema: CHATFUEL_BODY,
      }),
      ApiResponse({
        status: 429,
        description:
          "Over the bot's rate (rateLimitRps, across instances), or this address failed authentication too often; see Retry-After.",
        schema: CHATFUEL_BODY,
      }),
    ),
  v2: (variant?: 'public') =>
    applyDecorators(
      ApiOperation({
        summary: variant
          ? 'V2 at the path of the product the seed copies'
          : 'Send a block or messages to one customer by any identifier',
        description:
          'At least one of customer_id / customer_email / customer_phone / customer_fbid; the others update the contact. Exactly one of ' +
          'block_id / messages. priority (subset of fbid, phone, email; default that order) picks the channel: the first identifier that maps to ' +
          'an enabled channel.',
      }),
      ApiBearerAuth(),
      ApiParam({ name: 'botId', type: String, format: 'uuid' }),
      ApiHeader(IDEMPOTENCY_HEADER_DOC),
      ApiBody({ schema: { type: 'object' }, examples: CHATFUEL_V2_EXAMPLES }),
      ApiResponse({
        status: 200,
        schema: {
          ...CHATFUEL_BODY,
          properties: { ...CHATFUEL_BODY.properties, run_id: { type: 'string', format: 'uuid' } },
        },
      }),
      ApiResponse({ status: 400, schema: CHATFUEL_BODY }),
      ApiResponse({ status: 401, schema: CHATFUEL_BODY }),
      ApiResponse({
        status: 429,
        description:
          "Over the bot's V2 quota (HERALD_QUOTA_CHATFUEL_V2_PER_SECOND, across instances), or this address failed authentication too often; see Retry-After.",
        schema: CHATFUEL_BODY,
      }),
    ),
};
