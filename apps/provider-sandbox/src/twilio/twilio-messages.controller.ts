// POST /2010-04-01/Accounts/{AccountSid}/Messages.json (form-encoded).
import { Body, Controller, Headers, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { TwilioMessagesService } from './twilio-messages.service.js';

@Controller('2010-04-01/Accounts/:accountSid')
export class TwilioMessagesController {
  constructor(private readonly twilio: TwilioMessagesService) {}

  @Post('Messages.json')
  async create(
    @Param('accountSid') accountSid: string,
    @Headers('authorization') authorization: string | undefined,
    @Body() params: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const result = await this.twilio.send({ accountSid, authorization, params });
    reply.status(result.status);
    return result.body;
  }
}
