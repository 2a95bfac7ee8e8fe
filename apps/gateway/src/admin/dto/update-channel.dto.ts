import { ApiProperty } from '@nestjs/swagger';
import { IsObject } from 'class-validator';

export class UpdateChannelDto {
  @ApiProperty({
    description:
      "The settings and credentials to change, merged into the channel's: e.g. a rotated accessToken / authToken / pageAccessToken, " +
      "or appSecret (WhatsApp, Messenger: the App Secret of the Meta app the number or Page belongs to; it verifies that account's webhooks, " +
      'META_APP_SECRET when unset). The account itself (phoneNumberId, accountSid, pageId) cannot change: create another channel. ' +
      'Credentials are stored sealed and never shown again.',
    example: { appSecret: '0123456789abcdef0123456789abcdef' },
  })
  @IsObject()
  config!: Record<string, unknown>;
}
