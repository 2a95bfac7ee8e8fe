// OpenAPI for the delivery policies of issue 13: a bot's settings.
import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { ERROR_BODY } from './error.schemas.js';

export const BOT_SETTINGS_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    defaultCountry: {
      type: 'string',
      nullable: true,
      pattern: '^[A-Za-z]{2}$',
      description:
        'ISO 3166-1 alpha-2 country of phone numbers written in national form ("(555) 123-4567", "07700 900123"). Numbers are stored and matched in E.164; without it, a number needs its country code (with or without "+").',
      example: 'US',
    },
    timezone: {
      type: 'string',
      nullable: true,
      description:
        'IANA time zone of contacts whose own zone is unknown (no `timezone` variable, no single-zone phone country).',
      example: 'America/New_York',
    },
    sendWindow: {
      type: 'object',
      nullable: true,
      description:
        "Default send window of the bot's broadcasts (a broadcast's settings.sendWindow wins): people are messaged only between `from` and `to` in their own local time, on `days` when given; outside it they are held (`scheduled`) until it opens.",
      required: ['from', 'to'],
      properties: {
        from: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', example: '09:00' },
        to: {
          type: 'string',
          pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
          example: '20:00',
          description: 'Before `from`: the window runs past midnight.',
        },
        days: {
          type: 'array',
          items: { type: 'string', enum: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
          description: "The days a window may open (its start's local day); all when absent.",
        },
      },
      example: { from: '09:00', to: '20:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
    },
    frequencyCap: {
      type: 'object',
      nullable: true,
      description:
        'A person who already received `max` broadcast messages from this bot in the last `hours` is skipped ("frequency cap"). Chatfuel V1/V2 and CSML sends to one person are exempt unless `singleSends` is true.',
      required: ['max', 'hours'],
      properties: {
        max: { type: 'integer', minimum: 1, maximum: 1000 },
        hours: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 744 },
        singleSends: { type: 'boolean', default: false },
      },
      example: { max: 3, hours: 24 },
    },
  },
};

export const PolicyDocs = {
  held: () =>
    applyDecorators(
      ApiOperation({
        summary:
          "A run's people held by their send window: `scheduled` with the time it opens (dueAt), or `released` (keyset pages)",
      }),
      ApiQuery({
        name: 'cursor',
        required: false,
        description: 'nextCursor of the previous page.',
      }),
      ApiQuery({ name: 'limit', required: false, description: '1 to 1000 (default 100).' }),
      ApiResponse({
        status: 200,
        example: {
          counts: { scheduled: 1, released: 0 },
          held: [
            {
              contactId: '5f0c…',
              channel: 'sms',
              recipient: '+15551234567',
              status: 'scheduled',
              dueAt: '2026-12-07T14:00:00.000Z',
              zone: 'America/New_York',
              reason:
                'outside the send window 09:00–20:00 (America/New_York); scheduled for 2026-12-07T14:00:00.000Z',
              releasedAt: null,
            },
          ],
          nextCursor: null,
        },
      }),
      ApiResponse({ status: 404, schema: ERROR_BODY }),
    ),
  getBotSettings: () =>
    applyDecorators(
      ApiOperation({ summary: "A bot's delivery policies" }),
      ApiResponse({ status: 200, schema: BOT_SETTINGS_SCHEMA }),
    ),
  patchBotSettings: () =>
    applyDecorators(
      ApiOperation({
        summary: "Change a bot's delivery policies (JSON merge patch: null removes a setting)",
      }),
      ApiBody({
        schema: BOT_SETTINGS_SCHEMA,
        examples: {
          policies: {
            value: {
              defaultCountry: 'US',
              timezone: 'America/New_York',
              frequencyCap: { max: 3, hours: 24 },
              sendWindow: { from: '09:00', to: '20:00' },
            },
          },
          removeCap: { value: { frequencyCap: null } },
        },
      }),
      ApiResponse({ status: 200, schema: BOT_SETTINGS_SCHEMA }),
      ApiResponse({
        status: 400,
        schema: ERROR_BODY,
        description: 'A setting that is not one, or a wrong value; `field` names it.',
      }),
      ApiResponse({ status: 404, schema: ERROR_BODY }),
    ),
};
