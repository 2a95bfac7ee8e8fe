import { Controller, HttpCode, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { Caller, type ApiCaller } from '../auth/api-caller.js';
import { Idempotent } from '../idempotency/idempotent-call.js';
import { IdempotencyService, type IdempotentCall } from '../idempotency/idempotency.service.js';
import { ChatfuelDocs } from '../openapi/chatfuel.docs.js';
import { Quota, QuotaGuard } from '../quotas/quota.guard.js';
import { CHATFUEL_ERRORS, ChatfuelErrorFilter } from './chatfuel-error.filter.js';
import {
  ChatfuelV1Request,
  parseChatfuelV1Input,
  type ChatfuelV1Input,
} from './chatfuel-v1-request.js';
import { ChatfuelV1TokenGuard } from './chatfuel-v1-token.guard.js';
import { ChatfuelV1Service, type ChatfuelResult } from './chatfuel-v1.service.js';
import { messengerUserId } from './messenger-user-id.js';

@ChatfuelDocs.v1Controller()
@Controller('bots')
@UseFilters(ChatfuelErrorFilter)
@UseGuards(ChatfuelV1TokenGuard, QuotaGuard)
@Quota('chatfuel-v1')
export class ChatfuelV1Controller {
  constructor(
    private readonly v1: ChatfuelV1Service,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Post(':botId/users/:userId/send')
  @HttpCode(200)
  @RouteConfig(CHATFUEL_ERRORS)
  @ChatfuelDocs.v1()
  send(
    @Caller() caller: ApiCaller,
    @Param('userId') userId: string,
    @ChatfuelV1Request() input: ChatfuelV1Input,
    @Idempotent() call: IdempotentCall,
  ): Promise<ChatfuelResult> {
    return this.idempotency.answer(call, (runId) =>
      this.v1.send(caller, messengerUserId(userId), parseChatfuelV1Input(input), runId),
    );
  }
}
