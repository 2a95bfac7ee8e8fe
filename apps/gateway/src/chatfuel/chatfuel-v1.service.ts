import { Injectable } from '@nestjs/common';
import { ErrorCode, HeraldError } from '@herald/errors';
import { GatewayContactRepository } from '@herald/persistence';
import type { ApiCaller } from '../auth/api-caller.js';
import { RequestBroadcastService } from '../broadcast/request-broadcast.service.js';
import { BotLookupService } from '../lookups/bot-lookup.service.js';
import type { ChatfuelV1Params } from './chatfuel-v1-params.parser.js';

export interface ChatfuelResult {
  success: true;
  result: string;
}

/**
 * Chatfuel-style V1 (seed 002): send a block to one Messenger user (the user id is their
 * "messenger user id" / fb_id, a page-scoped id), setting attributes first; or only set them.
 */
@Injectable()
export class ChatfuelV1Service {
  constructor(
    private readonly lookup: BotLookupService,
    private readonly contacts: GatewayContactRepository,
    private readonly requester: RequestBroadcastService,
  ) {}

  /** `userId` is the path's, trimmed; `runId` the one to publish under. */
  async send(
    { botId }: ApiCaller,
    userId: string,
    params: ChatfuelV1Params,
    runId: string,
  ): Promise<ChatfuelResult> {
    const ref = params.blockId ?? params.blockName;
    if (ref === undefined) return this.setAttributes(botId, userId, params.attributes);
    const block = await this.lookup.block(botId, ref);
    if (!block) {
      throw HeraldError.invalid(
        params.blockId ? 'block_id' : 'block_name',
        `Block "${ref}" does not exist for this bot.`,
      );
    }
    const attributes =
      Object.keys(params.attributes).length > 0 ? { variables: params.attributes } : {};
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
      success: true,
      result: `Block "${block.name}" queued for user ${userId} (run ${run.runId}).`,
    };
  }

  private async setAttributes(
    botId: string,
    userId: string,
    attributes: Record<string, string>,
  ): Promise<ChatfuelResult> {
    if (Object.keys(attributes).length === 0) {
      throw HeraldError.invalid(
        'block_name',
        'Nothing to do: give block_name or block_id to send a block, or user attributes to set.',
      );
    }
    const changed = await this.contacts.setVariablesForUser(botId, 'messenger', userId, attributes);
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
      success: true,
      result: `Set ${Object.keys(attributes).length} attribute(s) for user ${userId}.`,
    };
  }
}
