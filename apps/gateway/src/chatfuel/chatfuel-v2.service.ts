import { Injectable } from '@nestjs/common';
import { HeraldError } from '@herald/errors';
import type { ApiCaller } from '../auth/api-caller.js';
import { RequestBroadcastService } from '../broadcast/request-broadcast.service.js';
import { BotLookupService } from '../lookups/bot-lookup.service.js';
import type { ChatfuelV2Body } from './chatfuel-v2-body.parser.js';

export interface ChatfuelV2Result {
  success: true;
  result: string;
  run_id: string;
}

/**
 * Chatfuel-style V2 (seed 002): one customer by any of their identifiers. The target carries
 * every identifier given and the options the priority, so the contact service picks the channel
 * (the first identifier, in priority order, that maps to an enabled channel) and updates the
 * contact with the other identifiers.
 */
@Injectable()
export class ChatfuelV2Service {
  constructor(
    private readonly lookup: BotLookupService,
    private readonly requester: RequestBroadcastService,
  ) {}

  async send({ botId }: ApiCaller, body: ChatfuelV2Body, runId: string): Promise<ChatfuelV2Result> {
    let content: { blockId: string } | { messages: NonNullable<typeof body.messages> };
    if (body.blockId !== undefined) {
      const block = await this.lookup.block(botId, body.blockId);
      if (!block)
        throw HeraldError.invalid(
          'block_id',
          `Block "${body.blockId}" does not exist for this bot.`,
        );
      content = { blockId: block.id };
    } else {
      content = { messages: body.messages! };
    }
    const run = await this.requester.request(
      {
        botId,
        source: 'chatfuel-v2',
        content,
        targets: [body.customer],
        options: {
          priority: body.priority,
          ...(body.notificationMessagesToken
            ? { notificationMessagesToken: body.notificationMessagesToken }
            : {}),
          ...(body.oneTimeNotifToken ? { oneTimeNotifToken: body.oneTimeNotifToken } : {}),
        },
      },
      runId,
    );
    return { success: true, result: 'Queued.', run_id: run.runId };
  }
}
