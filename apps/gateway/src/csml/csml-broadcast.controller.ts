import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { IDEMPOTENCY_HEADER } from '../idempotency/idempotency.service.js';
import { replayHeader } from '../idempotency/replay-header.js';
import { CsmlDocs } from '../openapi/csml.docs.js';
import { CsmlBroadcastService, type CsmlBroadcastAccepted } from './csml-broadcast.service.js';

@CsmlDocs.controller()
@Controller('v1/api/broadcasts')
export class CsmlBroadcastController {
  constructor(private readonly csml: CsmlBroadcastService) {}

  @Post()
  @HttpCode(200)
  @CsmlDocs.post()
  async broadcast(
    @Body() body: unknown,
    @Headers('x-api-key') apiKey: string | undefined,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CsmlBroadcastAccepted> {
    return replayHeader(reply, await this.csml.broadcast({ apiKey, body, idempotencyKey }));
  }
}
