import {
  Controller,
  HttpCode,
  Param,
  Post,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { Caller, type ApiCaller } from '../auth/api-caller.js';
import { IdempotencyInterceptor, RunId } from '../idempotency/idempotency.interceptor.js';
import { ChatfuelDocs } from '../openapi/chatfuel.docs.js';
import { Quota, QuotaGuard } from '../quotas/quota.guard.js';
import { CHATFUEL_ERRORS, ChatfuelErrorFilter } from './chatfuel-error.filter.js';
import type { ChatfuelV1Params } from './chatfuel-v1-params.parser.js';
import { ChatfuelV1ParamsPipe, ChatfuelV1Request } from './chatfuel-v1-params.pipe.js';
import { ChatfuelV1TokenGuard } from './chatfuel-v1-token.guard.js';
import { ChatfuelV1Service, type ChatfuelResult } from './chatfuel-v1.service.js';
import { MessengerUserIdPipe } from './messenger-user-id.pipe.js';

@ChatfuelDocs.v1Controller()
@Controller('bots')
@UseFilters(ChatfuelErrorFilter)
@UseGuards(ChatfuelV1TokenGuard, QuotaGuard)
@Quota('chatfuel-v1')
@UseInterceptors(IdempotencyInterceptor)
export class ChatfuelV1Controller {
  constructor(private readonly v1: ChatfuelV1Service) {}

  @Post(':botId/users/:userId/send')
  @HttpCode(200)
  @RouteConfig(CHATFUEL_ERRORS)
  @ChatfuelDocs.v1()
  send(
    @Caller() caller: ApiCaller,
    @Param('userId', new MessengerUserIdPipe()) userId: string,
    @ChatfuelV1Request(new ChatfuelV1ParamsPipe()) params: ChatfuelV1Params,
    @RunId() runId: string,
  ): Promise<ChatfuelResult> {
    return this.v1.send(caller, userId, params, runId);
  }
}
