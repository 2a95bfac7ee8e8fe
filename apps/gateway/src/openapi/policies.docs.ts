// OpenAPI for the delivery policies of issue 13: a bot's settings.
import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse } from '@nestjs/swagger';
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
      description: "IANA time zone of contacts whose own zone is unknown (no `timezone` variable, no single-zone phone country).",
      example: 'America/New_York',
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
  getBotSettings: () => applyDecorators(ApiOperation({ summary: "A bot's delivery policies" }), ApiResponse({ status: 200, schema: BOT_SETTINGS_SCHEMA })),
  patchBotSettings: () =>
    applyDecorators(
      ApiOperation({ summary: "Change a bot's delivery policies (JSON merge patch: null removes a setting)" }),
      ApiBody({
        schema: BOT_SETTINGS_SCHEMA,
        examples: {
          policies: { value: { defaultCountry: 'US', timezone: 'America/New_York', frequencyCap: { max: 3, hours: 24 } } },
          removeCap: { value: { frequencyCap: null } },
        },
      }),
      ApiResponse({ status: 200, schema: BOT_SETTINGS_SCHEMA }),
      ApiResponse({ status: 400, schema: ERROR_BODY, description: 'A setting that is not one, or a wrong value; `field` names it.' }),
      ApiResponse({ status: 404, schema: ERROR_BODY }),
    ),
};
