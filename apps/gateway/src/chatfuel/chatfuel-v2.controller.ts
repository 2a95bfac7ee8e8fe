import { Body, Controller, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerIp } from '../http/caller-ip.js';
import { TrustedProxies } from '../http/trusted-proxies.js';
import { IDEMPOTENCY_HEADER } from '../idempotency/idempotency.service.js';
import { replayHeader } from '../idempotency/replay-header.js';
import { ChatfuelDocs } from '../openapi/chatfuel.docs.js';
import { ChatfuelV2Service, type ChatfuelV2Result } from './chatfuel-v2.service.js';

/** V2 at Herald's path and at the path of the product the seed copies. */
@ChatfuelDocs.v2Controller()
@Controller()
export class ChatfuelV2Controller {
  constructor(
    private readonly v2: ChatfuelV2Service,
    private readonly proxies: TrustedProxies,
  ) {}

  @Post('v2/:botId/send')
  @HttpCode(200)
  @ChatfuelDocs.v2()
  async send(
    @Param('botId') botId: string,
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ChatfuelV2Result> {
    const caller = callerIp(request, this.proxies.list);
    return replayHeader(
      reply,
      await this.v2.send({ botId, authorization, body, idempotencyKey, callerIp: caller }),
    );
  }

  @Post('public/bots/:botId/send')
  @HttpCode(200)
  @ChatfuelDocs.v2('public')
  async sendPublic(
    @Param('botId') botId: string,
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ChatfuelV2Result> {
    return this.send(botId, body, authorization, idempotencyKey, request, reply);
  }
}
