import { Body, Controller, HttpCode, Post, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { Caller, type ApiCaller } from '../auth/api-caller.js';
import { IdempotencyInterceptor, RunId } from '../idempotency/idempotency.interceptor.js';
import { CsmlDocs } from '../openapi/csml.docs.js';
import { Quota, QuotaGuard } from '../quotas/quota.guard.js';
import type { CsmlBroadcast } from './csml-broadcast.parser.js';
import { CsmlBroadcastPipe } from './csml-broadcast.pipe.js';
import { CsmlBroadcastService, type CsmlBroadcastAccepted } from './csml-broadcast.service.js';

/** CSML-style broadcasts (seed 003); errors in Herald's body (the global filter). */
@CsmlDocs.controller()
@Controller('v1/api/broadcasts')
@UseGuards(ApiKeyGuard, QuotaGuard)
@Quota('csml')
@UseInterceptors(IdempotencyInterceptor)
export class CsmlBroadcastController {
  constructor(private readonly csml: CsmlBroadcastService) {}

  @Post()
  @HttpCode(200)
  @CsmlDocs.post()
  broadcast(
    @Caller() caller: ApiCaller,
    @Body(new CsmlBroadcastPipe()) request: CsmlBroadcast,
    @RunId() runId: string,
  ): Promise<CsmlBroadcastAccepted> {
    return this.csml.broadcast(caller, request, runId);
  }
}
