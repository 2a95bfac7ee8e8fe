import { BotRateLimiter } from './bot-rate.limiter.js';

describe('BotRateLimiter', () => {
  it('lets a bot make its rate per second, then answers with when to retry', () => {
    const limiter = new BotRateLimiter();
    const at = 1_000_000;
    for (let i = 0; i < 25; i++) expect(limiter.take('bot', 25, at)).toEqual({ ok: true });
    expect(limiter.take('bot', 25, at)).toEqual({ ok: false, retryAfterSeconds: 1 });
    // Another bot has its own bucket.
    expect(limiter.take('other', 25, at)).toEqual({ ok: true });
    // 40 ms later one request's worth (25/s) has refilled.
    expect(limiter.take('bot', 25, at + 40)).toEqual({ ok: true });
    expect(limiter.take('bot', 25, at + 40).ok).toBe(false);
    // After a second the full rate is back, but no more.
    for (let i = 0; i < 25; i++) expect(limiter.take('bot', 25, at + 2_000).ok).toBe(true);
    expect(limiter.take('bot', 25, at + 2_000).ok).toBe(false);
  });

  it('follows a per-bot rate, and says to wait longer at low rates', () => {
    const limiter = new BotRateLimiter();
    expect(limiter.take('slow', 1, 0).ok).toBe(true);
    expect(limiter.take('slow', 1, 0)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take('slow', 1, 999).ok).toBe(false);
    expect(limiter.take('slow', 1, 1_000).ok).toBe(true);
  });
});
