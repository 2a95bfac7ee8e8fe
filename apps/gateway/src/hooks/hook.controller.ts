import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Patch,
  Post,
  Put,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { Hook, type HookCaller } from '../auth/api-caller.js';
import { IdempotencyInterceptor, RunId } from '../idempotency/idempotency.interceptor.js';
import { HookDocs } from '../openapi/hook.docs.js';
import { Quota, QuotaGuard } from '../quotas/quota.guard.js';
import { AcceptHookService, type HookAccepted } from './accept-hook.service.js';
import { HookBody, HookBodyPipe } from './hook-body.pipe.js';
import type { ParsedHook } from './hook-payload.parser.js';
import { HookKeyGuard, otherVerb } from './hook-key.guard.js';

@HookDocs.controller()
@Controller('hooks')
export class HookController {
  constructor(private readonly hooks: AcceptHookService) {}

  @Post(':hookKey')
  @HttpCode(200)
  @UseGuards(HookKeyGuard, QuotaGuard)
  @Quota('hook')
  @UseInterceptors(IdempotencyInterceptor)
  @HookDocs.post()
  post(
    @Hook() hook: HookCaller,
    @HookBody(new HookBodyPipe()) parsed: ParsedHook,
    @RunId() runId: string,
  ): Promise<HookAccepted> {
    return this.hooks.accept(hook, parsed, runId);
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
