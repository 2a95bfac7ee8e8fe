import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, HeraldError } from '@herald/errors';
import { callerIp } from '../http/caller-ip.js';
import { TrustedProxies } from '../http/trusted-proxies.js';
import { IDEMPOTENCY_HEADER } from '../idempotency/idempotency.service.js';
import { replayHeader } from '../idempotency/replay-header.js';
import { HookDocs } from '../openapi/hook.docs.js';
import { AcceptHookService, type HookAccepted } from './accept-hook.service.js';

const otherVerb = () =>
  new HeraldError(ErrorCode.MethodNotAllowed, 'The hook accepts GET and POST only.');

@HookDocs.controller()
@Controller('hooks')
export class HookController {
  constructor(
    private readonly hooks: AcceptHookService,
    private readonly proxies: TrustedProxies,
  ) {}

  @Post(':hookKey')
  @HttpCode(200)
  @HookDocs.post()
  async post(
    @Param('hookKey') hookKey: string,
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
    @Query('token') queryToken: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<HookAccepted> {
    const answer = await this.hooks.accept({
      hookKey,
      method: 'POST',
      authorization,
      queryToken: typeof queryToken === 'string' ? queryToken : undefined,
      callerIp: callerIp(request, this.proxies.list),
      body,
      idempotencyKey,
    });
    return replayHeader(reply, answer);
  }

  @Get(':hookKey')
  @HookDocs.get()
  async get(
    @Param('hookKey') hookKey: string,
    @Headers('authorization') authorization: string | undefined,
    @Query('token') queryToken: unknown,
    @Req() request: FastifyRequest,
  ): Promise<HookAccepted> {
    // Fastify answers HEAD with the GET handler; a link checker's HEAD must not start a broadcast.
    if (request.method !== 'GET') throw otherVerb();
    const answer = await this.hooks.accept({
      hookKey,
      method: 'GET',
      authorization,
      queryToken: typeof queryToken === 'string' ? queryToken : undefined,
      callerIp: callerIp(request, this.proxies.list),
      body: undefined,
    });
    return answer.body;
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
