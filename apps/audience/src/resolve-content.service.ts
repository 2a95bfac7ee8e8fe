import { Injectable } from '@nestjs/common';
import type { BroadcastRequested, Message } from '@herald/contracts';
import { HeraldError } from '@herald/errors';
import { BlockLookupRepository, BroadcastLookupRepository } from '@herald/persistence';

/** The messages a run sends: the request's own, else its block, else the broadcast's content. */
@Injectable()
export class ResolveContentService {
  constructor(
    private readonly blocks: BlockLookupRepository,
    private readonly broadcasts: BroadcastLookupRepository,
  ) {}

  async messagesFor(request: BroadcastRequested): Promise<Message[]> {
    if (request.content?.messages) return request.content.messages;
    if (request.content?.blockId) return this.block(request.botId, request.content.blockId);
    if (!request.broadcastId) {
      throw HeraldError.invalid(
        'content',
        'The request names neither content nor a broadcast, so there is nothing to send.',
      );
    }
    const broadcast = await this.broadcasts.findForBot(request.botId, request.broadcastId);
    if (!broadcast)
      throw HeraldError.invalid(
        'broadcastId',
        `Broadcast ${request.broadcastId} does not exist for bot ${request.botId}.`,
      );
    return 'messages' in broadcast.content
      ? broadcast.content.messages
      : this.block(request.botId, broadcast.content.blockId);
  }

  private async block(botId: string, ref: string): Promise<Message[]> {
    const block = await this.blocks.findByIdOrName(botId, ref);
    if (!block)
      throw HeraldError.invalid(
        'content.blockId',
        `Block "${ref}" does not exist for bot ${botId}.`,
      );
    return block.messages;
  }
}
