import { Body, Controller, HttpCode, Post, UseFilters, UseGuards } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { Caller, type ApiCaller } from '../auth/api-caller.js';
import { BearerTokenGuard } from '../auth/bearer-token.guard.js';
import { Idempotent } from '../idempotency/idempotent-call.js';
import { IdempotencyService, type IdempotentCall } from '../idempotency/idempotency.service.js';
import { ChatfuelDocs } from '../openapi/chatfuel.docs.js';
import { Quota, QuotaGuard } from '../quotas/quota.guard.js';
import { CHATFUEL_ERRORS, ChatfuelErrorFilter } from './chatfuel-error.filter.js';
import { parseChatfuelV2Body } from './chatfuel-v2-body.parser.js';
import { ChatfuelV2Service, type ChatfuelV2Result } from './chatfuel-v2.service.js';

/** V2 at Herald's path and at the path of the product the seed copies. */
@ChatfuelDocs.v2Controller()
@Controller()
@UseFilters(ChatfuelErrorFilter)
@UseGuards(BearerTokenGuard, QuotaGuard)
@Quota('chatfuel-v2')
export class ChatfuelV2Controller {
  constructor(
    private readonly v2: ChatfuelV2Service,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Post('v2/:botId/send')
  @HttpCode(200)
  @RouteConfig(CHATFUEL_ERRORS)
  @ChatfuelDocs.v2()
  send(
    @Caller() caller: ApiCaller,
    @Body() body: unknown,
    @Idempotent() call: IdempotentCall,
  ): Promise<ChatfuelV2Result> {
    return this.sendOnce(caller, body, call);
  }

  @Post('public/bots/:botId/send')
  @HttpCode(200)
  @RouteConfig(CHATFUEL_ERRORS)
  @ChatfuelDocs.v2('public')
  sendPublic(
    @Caller() caller: ApiCaller,
    @Body() body: unknown,
    @Idempotent() call: IdempotentCall,
  ): Promise<ChatfuelV2Result> {
    return this.sendOnce(caller, body, call);
  }

  private sendOnce(
    caller: ApiCaller,
    body: unknown,
    call: IdempotentCall,
  ): Promise<ChatfuelV2Result> {
    return this.idempotency.answer(call, (runId) =>
      this.v2.send(caller, parseChatfuelV2Body(body), runId),
    );
  }
}
