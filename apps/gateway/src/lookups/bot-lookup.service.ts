import { Injectable } from '@nestjs/common';
import {
  BlockRepository,
  BotRepository,
  BroadcastRepository,
  ChannelRepository,
  type BotEntity,
  type BroadcastEntity,
  type ChannelEntity,
} from '@herald/persistence';
import { PromiseCache } from '@herald/runtime';
import { CHANGES_CHANNEL, PgNotifications } from './pg-notifications.service.js';

// An operator's change (rate limit, block, channel, hook key, broadcast settings) is dropped from
// these caches at commit on every instance (PgNotifications); the TTL only bounds staleness while
// the LISTEN connection is down.
const CACHE_TTL_MS = 2_000;

export interface BlockRef {
  id: string;
  name: string;
}

/** Cached reads of a bot's configuration that the public APIs check on every call. */
@Injectable()
export class BotLookupService {
  private readonly botCache = new PromiseCache<BotEntity | null>(CACHE_TTL_MS);
  private readonly blockCache = new PromiseCache<BlockRef | null>(CACHE_TTL_MS);
  private readonly channelCache = new PromiseCache<ChannelEntity[]>(CACHE_TTL_MS, 1_000);
  private readonly broadcastByKeyCache = new PromiseCache<BroadcastEntity | null>(CACHE_TTL_MS);

  constructor(
    private readonly bots: BotRepository,
    private readonly blocks: BlockRepository,
    private readonly channelRepo: ChannelRepository,
    private readonly broadcasts: BroadcastRepository,
    notifications: PgNotifications,
  ) {
    const caches: Record<string, Array<{ clear(): void }>> = {
      bots: [this.botCache],
      blocks: [this.blockCache],
      channels: [this.channelCache],
      broadcasts: [this.broadcastByKeyCache],
    };
    notifications.on(CHANGES_CHANNEL, (table) => caches[table]?.forEach((c) => c.clear()));
    notifications.onReset(() =>
      Object.values(caches)
        .flat()
        .forEach((c) => c.clear()),
    );
  }

  /** The broadcast a hook key opens, or null (unknown, or since regenerated). */
  broadcastByHookKey(hookKey: string): Promise<BroadcastEntity | null> {
    if (hookKey.length === 0 || hookKey.length > 128) return Promise.resolve(null);
    return this.broadcastByKeyCache.get(hookKey, () => this.broadcasts.findByHookKey(hookKey));
  }

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
    return this.channelCache.get(botId, async () =>
      (await this.channelRepo.listForBot(botId)).filter((c) => c.enabled),
    );
  }
}
