import { Injectable } from '@nestjs/common';
import { HeraldError } from '@herald/errors';
import { BotTokenService, bearerToken } from '../auth/bot-token.service.js';
import { RequestBroadcastService } from '../broadcast/request-broadcast.service.js';
import { IdempotencyService, type Answer } from '../idempotency/idempotency.service.js';
import { BotLookupService } from '../lookups/bot-lookup.service.js';
import { QuotaService } from '../quotas/quota.service.js';
import { parseChatfuelV2Body } from './chatfuel-v2-body.parser.js';

export interface ChatfuelV2Result {
  success: true;
  result: string;
  run_id: string;
}

export interface ChatfuelV2Call {
  botId: string;
  authorization?: string;
  body: unknown;
  idempotencyKey?: string;
  callerIp: string;
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
    private readonly tokens: BotTokenService,
    private readonly lookup: BotLookupService,
    private readonly requester: RequestBroadcastService,
    private readonly idempotency: IdempotencyService,
    private readonly quotas: QuotaService,
  ) {}

  async send(call: ChatfuelV2Call): Promise<Answer<ChatfuelV2Result>> {
    const botId = await this.tokens.require(
      bearerToken(call.authorization),
      call.botId,
      'send "Authorization: Bearer <bot token>"',
      call.callerIp,
    );
    await this.quotas.take('chatfuel-v2', botId, this.quotas.perSecond('chatfuel-v2'));
    const key = IdempotencyService.check(call.idempotencyKey);
    const body = parseChatfuelV2Body(call.body);
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
    return this.idempotency.once(botId, key, async (runId) => {
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
      return { success: true as const, result: 'Queued.', run_id: run.runId };
    });
  }
}
