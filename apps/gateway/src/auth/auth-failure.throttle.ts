// Failed authentication is throttled per caller address (issue 11): past the allowance, an
// address gets 429 before its token or hook key is looked up, so guessing costs no database
// query. Counted in memory; each instance takes its share of the allowance (GatewayPeers).
import { Injectable } from '@nestjs/common';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { RetryLaterError } from '../errors/retry-later.error.js';
import { GatewayConfig } from '../gateway.config.js';
import { GatewayPeers } from '../quotas/gateway-peers.service.js';

const WINDOW_S = 60;

@Injectable()
export class AuthFailureThrottle {
  private limiter: { points: number; limiter: RateLimiterMemory } | undefined;

  constructor(
    private readonly config: GatewayConfig,
    private readonly peers: GatewayPeers,
  ) {}

  /** Refuses (429) an address that failed too often; free of I/O. */
  async check(callerIp: string): Promise<void> {
    const { points, limiter } = this.current();
    const used = await limiter.get(callerIp);
    if (points === 0 || (used && used.consumedPoints >= points)) {
      throw new RetryLaterError(
        `Too many failed authentications from ${callerIp}; ${this.config.HERALD_AUTH_FAILURES_PER_MINUTE} are allowed per minute.`,
        Math.max(1, Math.ceil((used?.msBeforeNext ?? 1000) / 1000)),
      );
    }
  }

  /** Counts a failed authentication of `callerIp`. */
  async failed(callerIp: string): Promise<void> {
    const { limiter } = this.current();
    // Past the allowance consume() rejects; the count is what matters, not the answer.
    await limiter.consume(callerIp).catch(() => undefined);
  }

  private current(): { points: number; limiter: RateLimiterMemory } {
    const points = this.peers.share(this.config.HERALD_AUTH_FAILURES_PER_MINUTE);
    if (this.limiter?.points !== points) {
      this.limiter = {
        points,
        limiter: new RateLimiterMemory({
          keyPrefix: 'auth-failures',
          points: Math.max(1, points),
          duration: WINDOW_S,
        }),
      };
    }
    return this.limiter;
  }
}
