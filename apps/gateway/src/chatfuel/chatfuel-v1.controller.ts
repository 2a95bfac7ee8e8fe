import { Body, Controller, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerIp } from '../http/caller-ip.js';
import { TrustedProxies } from '../http/trusted-proxies.js';
import { IDEMPOTENCY_HEADER } from '../idempotency/idempotency.service.js';
import { replayHeader } from '../idempotency/replay-header.js';
import { ChatfuelDocs } from '../openapi/chatfuel.docs.js';
import { ChatfuelV1Service, type ChatfuelResult } from './chatfuel-v1.service.js';

@ChatfuelDocs.v1Controller()
@Controller('bots')
export class ChatfuelV1Controller {
  constructor(
    private readonly v1: ChatfuelV1Service,
    private readonly proxies: TrustedProxies,
  ) {}

  @Post(':botId/users/:userId/send')
  @HttpCode(200)
  @ChatfuelDocs.v1()
  async send(
    @Param('botId') botId: string,
    @Param('userId') userId: string,
    @Query() query: unknown,
    @Body() body: unknown,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ChatfuelResult> {
    const caller = callerIp(request, this.proxies.list);
    return replayHeader(
      reply,
      await this.v1.send({ botId, userId, query, body, idempotencyKey, callerIp: caller }),
    );
  }
}
