// An account its provider refused for the account's own reasons (a revoked token, a suspension,
// a config that cannot make a request: SendFailure.refused) is not asked again for a while: the
// people after it take the same answer without a call or a slot of its pacing, so they fail over
// to the bot's next account, or spend their attempt (retried later, then failed with the reason),
// at once, and the provider is not sent a stream of requests it will refuse. Refusals open no
// breaker, so they hold nobody else.
//
// Kept per account as the delivery service's account cache holds it: one bot's account object,
// never shared with another bot that names the same provider account, and dropped when the cache
// reads the account again (an operator rotated its token: the next person tries it).
import type { ChannelAccount } from '@herald/persistence';
import type { SendFailure, SendOutcome } from '../channel-sender.js';

/** How long a refusal is taken as the account's answer. */
export const REFUSAL_MEMORY_MS = 10_000;

export class Refusals {
  private readonly recent = new WeakMap<ChannelAccount, { outcome: SendFailure; until: number }>();

  constructor(
    private readonly memoryMs = REFUSAL_MEMORY_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The account's refusal, while it is recent. */
  of(account: ChannelAccount): SendFailure | undefined {
    const refusal = this.recent.get(account);
    if (refusal === undefined) return undefined;
    if (refusal.until > this.clock()) return refusal.outcome;
    this.recent.delete(account);
    return undefined;
  }

  /** What a call through the account answered: a refusal is remembered, a success forgets it. */
  saw(account: ChannelAccount, outcome: SendOutcome): void {
    if (!outcome.ok && outcome.refused)
      this.recent.set(account, { outcome, until: this.clock() + this.memoryMs });
    else if (outcome.ok) this.recent.delete(account);
  }
}
