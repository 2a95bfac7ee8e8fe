import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { Caller, type ApiCaller } from '../auth/api-caller.js';
import { Idempotent } from '../idempotency/idempotent-call.js';
import { IdempotencyService, type IdempotentCall } from '../idempotency/idempotency.service.js';
import { CsmlDocs } from '../openapi/csml.docs.js';
import { Quota, QuotaGuard } from '../quotas/quota.guard.js';
import { parseCsmlBroadcast } from './csml-broadcast.parser.js';
import { CsmlBroadcastService, type CsmlBroadcastAccepted } from './csml-broadcast.service.js';

/** CSML-style broadcasts (seed 003); errors in Herald's body (the global filter). */
@CsmlDocs.controller()
@Controller('v1/api/broadcasts')
@UseGuards(ApiKeyGuard, QuotaGuard)
@Quota('csml')
export class CsmlBroadcastController {
  constructor(
    private readonly csml: CsmlBroadcastService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Post()
  @HttpCode(200)
  @CsmlDocs.post()
  broadcast(
    @Caller() caller: ApiCaller,
    @Body() body: unknown,
    @Idempotent() call: IdempotentCall,
  ): Promise<CsmlBroadcastAccepted> {
    return this.idempotency.answer(call, (runId) =>
      this.csml.broadcast(caller, parseCsmlBroadcast(body), runId),
    );
  }
}
