import {
  Body,
  Controller,
  HttpCode,
  Post,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { Caller, type ApiCaller } from '../auth/api-caller.js';
import { BearerTokenGuard } from '../auth/bearer-token.guard.js';
import { IdempotencyInterceptor, RunId } from '../idempotency/idempotency.interceptor.js';
import { ChatfuelDocs } from '../openapi/chatfuel.docs.js';
import { Quota, QuotaGuard } from '../quotas/quota.guard.js';
import { CHATFUEL_ERRORS, ChatfuelErrorFilter } from './chatfuel-error.filter.js';
import type { ChatfuelV2Body } from './chatfuel-v2-body.parser.js';
import { ChatfuelV2BodyPipe } from './chatfuel-v2-body.pipe.js';
import { ChatfuelV2Service, type ChatfuelV2Result } from './chatfuel-v2.service.js';

/** V2 at Herald's path and at the path of the product the seed copies. */
@ChatfuelDocs.v2Controller()
@Controller()
@UseFilters(ChatfuelErrorFilter)
@UseGuards(BearerTokenGuard, QuotaGuard)
@Quota('chatfuel-v2')
@UseInterceptors(IdempotencyInterceptor)
export class ChatfuelV2Controller {
  constructor(private readonly v2: ChatfuelV2Service) {}

  @Post('v2/:botId/send')
  @HttpCode(200)
  @RouteConfig(CHATFUEL_ERRORS)
  @ChatfuelDocs.v2()
  send(
    @Caller() caller: ApiCaller,
    @Body(new ChatfuelV2BodyPipe()) body: ChatfuelV2Body,
    @RunId() runId: string,
  ): Promise<ChatfuelV2Result> {
    return this.v2.send(caller, body, runId);
  }

  @Post('public/bots/:botId/send')
  @HttpCode(200)
  @RouteConfig(CHATFUEL_ERRORS)
  @ChatfuelDocs.v2('public')
  sendPublic(
    @Caller() caller: ApiCaller,
    @Body(new ChatfuelV2BodyPipe()) body: ChatfuelV2Body,
    @RunId() runId: string,
  ): Promise<ChatfuelV2Result> {
    return this.v2.send(caller, body, runId);
  }
}
