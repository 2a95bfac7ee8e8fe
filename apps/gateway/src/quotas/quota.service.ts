// Per-bot quotas on the public APIs (issue 11), counted by rate-limiter-flexible in memory: each
// gateway instance enforces its share of the bot's rate (GatewayPeers), so the instances together
// allow the configured rate, and the accept path never waits on a shared store.
import { Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { RetryLaterError } from '../errors/retry-later.error.js';
import { GatewayConfig } from '../gateway.config.js';
import { GatewayPeers } from './gateway-peers.service.js';

export type QuotaApi = 'hook' | 'chatfuel-v1' | 'chatfuel-v2' | 'csml';

const NAMES: Record<QuotaApi, string> = {
  hook: "this bot's hooks",
  'chatfuel-v1': 'this API (Chatfuel V1)',
  'chatfuel-v2': 'this API (Chatfuel V2)',
  csml: 'this API (CSML broadcasts)',
};

/** Limiters kept apart: one per API and per-instance rate (a bot's V1 rate is its own). */
const MAX_LIMITERS = 1_000;

@Injectable()
export class QuotaService {
  private readonly limiters = new Map<string, RateLimiterMemory>();

  constructor(
    private readonly config: GatewayConfig,
    private readonly peers: GatewayPeers,
  ) {}

  /** The configured per-bot rate of an API (V1: the bot's own, given). */
  perSecond(api: Exclude<QuotaApi, 'chatfuel-v1'>): number {
    switch (api) {
      case 'hook':
        return this.config.HERALD_QUOTA_HOOK_PER_SECOND;
      case 'chatfuel-v2':
        return this.config.HERALD_QUOTA_CHATFUEL_V2_PER_SECOND;
      case 'csml':
        return this.config.HERALD_QUOTA_CSML_PER_SECOND;
    }
  }

  /** Counts one call of `botId` to `api`; throws a 429 (Retry-After) past the bot's rate. */
  async take(api: QuotaApi, botId: string, perSecond: number): Promise<void> {
    const total = Math.max(1, Math.floor(perSecond));
    const share = this.peers.share(total);
    // A rate below the number of instances: each allows one call per (instances / rate) seconds,
    // which is still the rate in all.
    const window =
      share > 0
        ? { points: share, seconds: 1 }
        : { points: 1, seconds: Math.ceil(this.peers.count() / total) };
    const limited = `${perSecond} requests per second to ${NAMES[api]}, across all gateway instances`;
    try {
      await this.limiter(api, window.points, window.seconds).consume(botId);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw new RetryLaterError(
        `This bot may make ${limited}.`,
        Math.max(1, Math.ceil(error.msBeforeNext / 1000)),
      );
    }
  }

  private limiter(api: QuotaApi, points: number, seconds: number): RateLimiterMemory {
    const key = `${api}/${points}/${seconds}`;
    let limiter = this.limiters.get(key);
    if (!limiter) {
      if (this.limiters.size >= MAX_LIMITERS)
        this.limiters.delete(this.limiters.keys().next().value as string);
      limiter = new RateLimiterMemory({ keyPrefix: key, points, duration: seconds });
      this.limiters.set(key, limiter);
    }
    return limiter;
  }
}
