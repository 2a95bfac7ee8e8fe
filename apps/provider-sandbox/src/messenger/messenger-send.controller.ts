// POST /{version}/me/messages?access_token=…
import { Body, Controller, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { graphAccessToken } from '../common/auth-header.js';
import { MessengerSendService } from './messenger-send.service.js';

@Controller()
export class MessengerSendController {
  constructor(private readonly messenger: MessengerSendService) {}

  @Post(':version/me/messages')
  @HttpCode(200)
  async send(
    @Headers('authorization') authorization: string | undefined,
    @Query('access_token') accessToken: unknown,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const token = graphAccessToken(authorization, accessToken);
    const result = await this.messenger.send({ token, body });
    reply.status(result.status);
    return result.body;
  }
}
