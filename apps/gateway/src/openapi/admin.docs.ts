import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { DELIVERY_ROW_STATUSES } from '@herald/persistence';
import { ERROR_BODY } from './error.schemas.js';
import { CONTACT_IMPORT_EXAMPLE } from './examples.js';

export const AdminDocs = {
  controller: () =>
    applyDecorators(
      ApiTags('Admin'),
      ApiBearerAuth(),
      ApiResponse({
        status: 401,
        description: 'Missing or wrong HERALD_ADMIN_KEY.',
        schema: ERROR_BODY,
      }),
    ),
  op: (summary: string, status = 200, options: { paged?: boolean; status?: boolean } = {}) =>
    applyDecorators(
      ApiOperation({ summary }),
      ApiResponse({ status, description: 'OK' }),
      ApiResponse({ status: 400, schema: ERROR_BODY }),
      ...(options.paged
        ? [
            ApiQuery({
              name: 'cursor',
              required: false,
              description: 'nextCursor of the previous page.',
            }),
            ApiQuery({ name: 'limit', required: false, description: '1 to 1000 (default 100).' }),
          ]
        : []),
      ...(options.status
        ? [ApiQuery({ name: 'status', required: false, enum: DELIVERY_ROW_STATUSES })]
        : []),
    ),
  contactImport: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Bulk import contacts (up to 10,000 per call; created or updated, all or nothing)',
      }),
      ApiBody({
        schema: { type: 'array', items: { type: 'object' }, maxItems: 10_000 },
        examples: { contacts: { value: CONTACT_IMPORT_EXAMPLE } },
      }),
      ApiResponse({ status: 200, example: { created: 2, updated: 0 } }),
      ApiResponse({ status: 400, schema: ERROR_BODY }),
    ),
};
