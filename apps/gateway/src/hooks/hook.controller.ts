import { Controller, Delete, Get, HttpCode, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { Hook, type HookCaller } from '../auth/api-caller.js';
import { Idempotent } from '../idempotency/idempotent-call.js';
import { IdempotencyService, type IdempotentCall } from '../idempotency/idempotency.service.js';
import { HookDocs } from '../openapi/hook.docs.js';
import { Quota, QuotaGuard } from '../quotas/quota.guard.js';
import { AcceptHookService, type HookAccepted } from './accept-hook.service.js';
import { HookBody, parseHookInput, type HookBodyInput } from './hook-body.js';
import { HookKeyGuard, otherVerb } from './hook-key.guard.js';

@HookDocs.controller()
@Controller('hooks')
export class HookController {
  constructor(
    private readonly hooks: AcceptHookService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Post(':hookKey')
  @HttpCode(200)
  @UseGuards(HookKeyGuard, QuotaGuard)
  @Quota('hook')
  @HookDocs.post()
  post(
    @Hook() hook: HookCaller,
    @HookBody() body: HookBodyInput,
    @Idempotent() call: IdempotentCall,
  ): Promise<HookAccepted> {
    return this.idempotency.answer(call, (runId) =>
      this.hooks.accept(hook, parseHookInput(body), runId),
    );
  }

  /** Fastify answers HEAD here too: HookKeyGuard refuses it (it must not start a broadcast). */
  @Get(':hookKey')
  @UseGuards(HookKeyGuard, QuotaGuard)
  @Quota('hook')
  @HookDocs.get()
  get(@Hook() hook: HookCaller): Promise<HookAccepted> {
    return this.hooks.accept(hook, {});
  }

  @Put(':hookKey')
  @HookDocs.hidden()
  put(): never {
    throw otherVerb();
  }

  @Patch(':hookKey')
  @HookDocs.hidden()
  patch(): never {
    throw otherVerb();
  }

  @Delete(':hookKey')
  @HookDocs.hidden()
  delete(): never {
    throw otherVerb();
  }
}
