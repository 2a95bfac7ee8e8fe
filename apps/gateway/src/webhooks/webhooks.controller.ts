// Provider webhooks: WhatsApp Cloud API and Messenger (Meta; GET is the subscription handshake)
// and Twilio. Thin: the relay service verifies, parses and publishes.
import { Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WebhookRelayService } from './webhook-relay.service.js';

type Request = RawBodyRequest<FastifyRequest>;

const header = (request: Request, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const signed = (request: Request, name: string) => ({
  rawBody: request.rawBody,
  body: request.body,
  signature: header(request, name),
});

@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly relay: WebhookRelayService) {}

  @Get(['whatsapp', 'messenger'])
  challenge(
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string {
    const challenge = this.relay.verifyChallenge(query);
    // Meta wants the bare challenge back (errors answer JSON).
    reply.type('text/plain');
    return challenge;
  }

  @Post('whatsapp')
  @HttpCode(200)
  async whatsapp(@Req() request: Request): Promise<{ received: true }> {
    await this.relay.whatsapp(signed(request, 'x-hub-signature-256'));
    return { received: true };
  }

  @Post('messenger')
  @HttpCode(200)
  async messenger(@Req() request: Request): Promise<{ received: true }> {
    await this.relay.messenger(signed(request, 'x-hub-signature-256'));
    return { received: true };
  }

  @Post('twilio')
  @HttpCode(200)
  async twilio(
    @Req() request: Request,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    await this.relay.twilio({
      ...signed(request, 'x-twilio-signature'),
      url: `${request.protocol}://${request.host}${request.url}`,
      path: request.url,
    });
    // Empty TwiML: no reply message. (Set here, not by @Header: errors answer JSON.)
    reply.type('text/xml');
    return '<?xml version="1.0" encoding="UTF-8"?><Response/>';
  }
}
