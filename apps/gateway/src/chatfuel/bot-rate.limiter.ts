// The V1 API's per-bot rate (seed 002: 25 requests/s per bot; bots.rate_limit_rps): a token
// bucket per bot, refilled continuously, holding at most one second's worth. It counts per gateway
// instance: with N instances behind a balancer a bot gets up to N times its rate.
import { Injectable } from '@nestjs/common';

interface Bucket {
  tokens: number;
  at: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

const MAX_BUCKETS = 10_000;

@Injectable()
export class BotRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  take(botId: string, perSecond: number, now = Date.now()): RateDecision {
    const rate = Math.max(1, perSecond);
    let bucket = this.buckets.get(botId);
    if (!bucket) {
      if (this.buckets.size >= MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value as string);
      bucket = { tokens: rate, at: now };
      this.buckets.set(botId, bucket);
    }
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / rate)) };
  }
}
