import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerIp } from '../http/caller-ip.js';
import { TrustedProxies } from '../http/trusted-proxies.js';
import { IDEMPOTENCY_HEADER } from '../idempotency/idempotency.service.js';
import { replayHeader } from '../idempotency/replay-header.js';
import { CsmlDocs } from '../openapi/csml.docs.js';
import { CsmlBroadcastService, type CsmlBroadcastAccepted } from './csml-broadcast.service.js';

@CsmlDocs.controller()
@Controller('v1/api/broadcasts')
export class CsmlBroadcastController {
  constructor(
    private readonly csml: CsmlBroadcastService,
    private readonly proxies: TrustedProxies,
  ) {}

  @Post()
  @HttpCode(200)
  @CsmlDocs.post()
  async broadcast(
    @Body() body: unknown,
    @Headers('x-api-key') apiKey: string | undefined,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CsmlBroadcastAccepted> {
    const caller = callerIp(request, this.proxies.list);
    return replayHeader(
      reply,
      await this.csml.broadcast({ apiKey, body, idempotencyKey, callerIp: caller }),
    );
  }
}
