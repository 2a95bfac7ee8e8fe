// POST /{version}/ and POST / with `batch`: Graph API batch requests. The sandbox runs Messenger
// Send API operations (`{page-id}/messages`, `me/messages`) the way a single send runs, faults
// included, at once; any other operation gets Graph's "Unsupported post request" in its slot.
import { Body, Controller, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ProviderReply } from '../channel.js';
import { graphAccessToken } from '../common/auth-header.js';
import { messengerInvalid } from '../common/graph-error.js';
import { messagesPath, parseBatch } from './graph-batch.js';
import { MessengerSendService } from './messenger-send.service.js';

const VERSION = /^v\d+\.\d+$/;

@Controller()
export class GraphBatchController {
  constructor(private readonly messenger: MessengerSendService) {}

  @Post()
  @HttpCode(200)
  root(
    @Headers('authorization') authorization: string | undefined,
    @Query('access_token') accessToken: unknown,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.batch(graphAccessToken(authorization, accessToken), body, reply);
  }

  @Post(':version')
  @HttpCode(200)
  versioned(
    @Param('version') version: string,
    @Headers('authorization') authorization: string | undefined,
    @Query('access_token') accessToken: unknown,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    if (!VERSION.test(version)) {
      reply.status(400);
      return Promise.resolve(messengerInvalid('Unsupported post request').body);
    }
    return this.batch(graphAccessToken(authorization, accessToken), body, reply);
  }

  private async batch(
    token: string | undefined,
    body: unknown,
    reply: FastifyReply,
  ): Promise<unknown> {
    const parsed = parseBatch(body);
    if (!parsed.ok) {
      reply.status(parsed.reply.status);
      return parsed.reply.body;
    }
    const answers = await Promise.all(
      parsed.value.map(async (operation) => {
        const path = messagesPath(operation);
        return path === undefined
          ? messengerInvalid('Unsupported post request')
          : this.messenger.send({ pageId: path.id, token, body: operation.fields });
      }),
    );
    return answers.map(slot);
  }
}

/** One operation's answer as Graph puts it in the batch's array (include_headers=false). */
function slot(answer: ProviderReply): { code: number; body: string } {
  return { code: answer.status, body: JSON.stringify(answer.body) };
}
