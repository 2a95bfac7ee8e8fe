import { Injectable } from '@nestjs/common';
import { ErrorCode, HeraldError } from '@herald/errors';
import { GatewayContactRepository } from '@herald/persistence';
import { BotTokenService } from '../auth/bot-token.service.js';
import { RequestBroadcastService } from '../broadcast/request-broadcast.service.js';
import { IdempotencyService, type Answer } from '../idempotency/idempotency.service.js';
import { BotLookupService } from '../lookups/bot-lookup.service.js';
import { QuotaService } from '../quotas/quota.service.js';
import { parseChatfuelV1Params } from './chatfuel-v1-params.parser.js';

export interface ChatfuelResult {
  success: true;
  result: string;
}

export interface ChatfuelV1Call {
  botId: string;
  userId: string;
  query: unknown;
  body: unknown;
  idempotencyKey?: string;
  callerIp: string;
}

const MAX_USER_ID = 256;

/**
 * Chatfuel-style V1 (seed 002): send a block to one Messenger user (the user id is their
 * "messenger user id" / fb_id, a page-scoped id), setting attributes first; or only set them.
 */
@Injectable()
export class ChatfuelV1Service {
  constructor(
    private readonly tokens: BotTokenService,
    private readonly lookup: BotLookupService,
    private readonly quotas: QuotaService,
    private readonly contacts: GatewayContactRepository,
    private readonly requester: RequestBroadcastService,
    private readonly idempotency: IdempotencyService,
  ) {}

  async send(call: ChatfuelV1Call): Promise<Answer<ChatfuelResult>> {
    const params = parseChatfuelV1Params(call.query, call.body);
    const botId = await this.tokens.require(
      params.token,
      call.botId,
      'pass ?bot_token=<token> (or chatfuel_token)',
      call.callerIp,
    );
    const bot = await this.lookup.bot(botId);
    if (!bot)
      throw new HeraldError(ErrorCode.Unauthorized, 'The bot of this token no longer exists.');
    // Seed 002: 25 requests per second per bot (the bot's rateLimitRps), across instances.
    await this.quotas.take('chatfuel-v1', botId, bot.rateLimitRps);

    const userId = call.userId.trim();
    if (userId.length === 0 || userId.length > MAX_USER_ID) {
      throw HeraldError.invalid(
        'userId',
        `The user id in the path must be 1 to ${MAX_USER_ID} characters (the "messenger user id").`,
      );
    }
    const key = IdempotencyService.check(call.idempotencyKey);
    const ref = params.blockId ?? params.blockName;
    if (ref === undefined) {
      if (Object.keys(params.attributes).length === 0) {
        throw HeraldError.invalid(
          'block_name',
          'Nothing to do: give block_name or block_id to send a block, or user attributes to set.',
        );
      }
      return this.idempotency.once(botId, key, async () => {
        const changed = await this.contacts.setVariablesForUser(
          botId,
          'messenger',
          userId,
          params.attributes,
        );
        if (changed === 0) {
          throw new HeraldError(
            ErrorCode.NotFound,
            `User ${userId} is not a Messenger contact of this bot.`,
            {
              fix: 'Use the "messenger user id" of a person who wrote to the bot (or import the contact first).',
            },
          );
        }
        return {
          success: true as const,
          result: `Set ${Object.keys(params.attributes).length} attribute(s) for user ${userId}.`,
        };
      });
    }
    const block = await this.lookup.block(botId, ref);
    if (!block) {
      throw HeraldError.invalid(
        params.blockId ? 'block_id' : 'block_name',
        `Block "${ref}" does not exist for this bot.`,
      );
    }
    const attributes =
      Object.keys(params.attributes).length > 0 ? { variables: params.attributes } : {};
    return this.idempotency.once(botId, key, async (runId) => {
      const run = await this.requester.request(
        {
          botId,
          source: 'chatfuel-v1',
          content: { blockId: block.id },
          // Never created here: a Messenger user id exists only once the person wrote to the page,
          // so an unknown one is skipped in the run (with the reason) rather than invented.
          targets: [{ userId, fbid: userId, channel: 'messenger', ...attributes, create: false }],
          ...(params.messagingTag ? { options: { messagingTag: params.messagingTag } } : {}),
        },
        runId,
      );
      return {
        success: true as const,
        result: `Block "${block.name}" queued for user ${userId} (run ${run.runId}).`,
      };
    });
  }
}
