// Breakers that hold across replicas: when one replica's breaker opens for a provider account,
// it says so in PostgreSQL (until when), and every other replica, looking every half second,
// opens its own breaker for that account, pausing consumption like a breaker of its own. Each
// replica then probes half-open on its own clock and closes again when the provider answers.
import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { describeError } from '@herald/errors';
import type { ProviderBreakers } from './provider-breakers.js';

/** What the sync needs of AccountBudgetRepository. */
export interface BreakerStore {
  reportOpen(key: string, forMs: number): Promise<number>;
  openAccounts(keyPrefix: string): Promise<Map<string, number>>;
}

export const BREAKER_POLL_MS = 500;

export class SharedBreakerSync implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SharedBreakerSync.name);
  /** The open-until of each account already acted on (reported by us, or followed). */
  private readonly seen = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private breakers: ProviderBreakers | undefined;

  constructor(
    /** null: limits are per process (DELIVERY_SHARED_LIMITS=false); nothing is shared. */
    private readonly store: BreakerStore | null,
    /** Row keys of this deployment and channel: `<topic prefix>breaker:<channel>:`. */
    private readonly keyPrefix: string,
    private readonly openForMs: number,
  ) {}

  /** The breakers to drive (they are built with `tripped` as their callback, hence not injected). */
  attach(breakers: ProviderBreakers): void {
    this.breakers = breakers;
  }

  /** Our breaker for `account` opened on its own failures: tell the other replicas. */
  tripped(account: string): void {
    if (!this.store) return;
    const key = this.keyPrefix + account;
    this.store.reportOpen(key, this.openForMs).then(
      (until) => this.seen.set(key, until),
      (error: unknown) =>
        this.logger.warn(`Could not share the open breaker of ${account}: ${describeError(error)}`),
    );
  }

  onModuleInit(): void {
    if (!this.store) return;
    this.timer = setInterval(() => void this.poll(), BREAKER_POLL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async poll(): Promise<void> {
    let open: Map<string, number>;
    try {
      if (!this.store) return;
      open = await this.store.openAccounts(this.keyPrefix);
    } catch {
      return; // PostgreSQL is away: local breakers still work; the next poll tries again
    }
    for (const [key, until] of open) {
      if (this.seen.get(key) === until) continue;
      this.seen.set(key, until);
      const account = key.slice(this.keyPrefix.length);
      this.logger.warn(`Another replica found ${account} down: opening its breaker here too`);
      this.breakers?.forceOpen(account);
    }
    if (this.seen.size > 1_000)
      for (const key of this.seen.keys()) if (!open.has(key)) this.seen.delete(key);
  }
}
