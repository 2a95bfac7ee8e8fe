import { Injectable } from '@nestjs/common';
import { BlockRepository, BotRepository, ChannelRepository, type BotEntity, type ChannelEntity } from '@herald/persistence';
import { TtlCache } from '../common/ttl-cache.js';

// Short TTL: an operator's change (rate limit, new block, new channel) shows within this many ms.
const CACHE_TTL_MS = 2_000;

export interface BlockRef {
  id: string;
  name: string;
}

/** Cached reads of a bot's configuration that the public APIs check on every call. */
@Injectable()
export class BotLookupService {
  private readonly botCache = new TtlCache<BotEntity | null>(CACHE_TTL_MS);
  private readonly blockCache = new TtlCache<BlockRef | null>(CACHE_TTL_MS);
  private readonly channelCache = new TtlCache<ChannelEntity[]>(CACHE_TTL_MS, 1_000);

  constructor(
    private readonly bots: BotRepository,
    private readonly blocks: BlockRepository,
    private readonly channelRepo: ChannelRepository,
  ) {}

  bot(botId: string): Promise<BotEntity | null> {
    return this.botCache.get(botId, () => this.bots.findById(botId));
  }

  /** A block of the bot by id or by name. */
  block(botId: string, ref: string): Promise<BlockRef | null> {
    if (ref.length === 0 || ref.length > 200) return Promise.resolve(null);
    return this.blockCache.get(`${botId}/${ref}`, async () => {
      const row = await this.blocks.findByIdOrName(botId, ref);
      return row ? { id: row.id, name: row.name } : null;
    });
  }

  /** The bot's enabled channels, oldest first. */
  channels(botId: string): Promise<ChannelEntity[]> {
    return this.channelCache.get(botId, async () => (await this.channelRepo.listForBot(botId)).filter((c) => c.enabled));
  }
}
