// POST /{version}/{phone-number-id}/messages. Graph also serves Messenger's
// POST /{version}/{page-id}/messages on this path, so a Messenger-shaped body goes there.
import { Body, Controller, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { graphAccessToken } from '../common/auth-header.js';
import { isMessengerPayload } from '../messenger/messenger-send.validator.js';
import { MessengerSendService } from '../messenger/messenger-send.service.js';
import { WhatsAppCloudService } from './whatsapp-cloud.service.js';

@Controller()
export class WhatsAppCloudController {
  constructor(
    private readonly whatsapp: WhatsAppCloudService,
    private readonly messenger: MessengerSendService,
  ) {}

  @Post(':version/:phoneNumberId/messages')
  @HttpCode(200)
  async send(
    @Param('phoneNumberId') phoneNumberId: string,
    @Headers('authorization') authorization: string | undefined,
    @Query('access_token') accessToken: unknown,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const token = graphAccessToken(authorization, accessToken);
    const result = isMessengerPayload(body)
      ? await this.messenger.send({ pageId: phoneNumberId, token, body })
      : await this.whatsapp.send({ phoneNumberId, token, body });
    reply.status(result.status);
    return result.body;
  }
}
