import type { PipeTransform } from '@nestjs/common';
import { parseChatfuelV2Body, type ChatfuelV2Body } from './chatfuel-v2-body.parser.js';

/** `@Body(new ChatfuelV2BodyPipe())`: a Chatfuel V2 body (seed 002), typed. */
export class ChatfuelV2BodyPipe implements PipeTransform<unknown, ChatfuelV2Body> {
  transform(body: unknown): ChatfuelV2Body {
    return parseChatfuelV2Body(body);
  }
}
