// One opossum circuit breaker per provider account, wrapped around the channel adapter's
// `send` in this one place. Only failures that say the account is in trouble (timeouts, 5xx,
// throughput limits: failure `account`) count against it; a per-recipient 4xx, and an account
// refusing for its own reasons (credentials, suspension: `refused`), are successes for the
// breaker. A call an open breaker refuses never reached the provider.
import CircuitBreaker from 'opossum';
import type { SendFailure, SendOutcome } from '../channel-sender.js';
import type { BreakerState } from '../delivery.metrics.js';
import type { ConsumptionGate } from './consumption-gate.js';

export interface BreakerSettings {
  errorThresholdPercentage: number;
  volumeThreshold: number;
  rollingCountTimeout: number;
  resetTimeout: number;
}

/** The breaker refused the call (open, or half-open with its probe already out). */
export const REFUSED = Symbol('breaker-refused');

class TrippingFailure extends Error {
  constructor(readonly outcome: SendFailure) {
    super(outcome.reason);
  }
}

type Action = () => Promise<SendOutcome>;

export class ProviderBreakers {
  private readonly breakers = new Map<string, CircuitBreaker<[Action], SendOutcome>>();
  /** Per open account: when its breaker lets a probe through (half-open). */
  private readonly openUntil = new Map<string, number>();
  /** Accounts being opened because another replica found them down (not reported back). */
  private readonly forcing = new Set<string>();

  constructor(
    private readonly settings: BreakerSettings,
    private readonly gate: ConsumptionGate,
    private readonly onState: (account: string, state: BreakerState) => void = () => undefined,
    /** This replica's own failures opened the account's breaker (for the other replicas). */
    private readonly onTripped: (account: string) => void = () => undefined,
  ) {}

  /**
   * Opens the account's breaker because another replica found the account down: no send until
   * this breaker's own half-open probe succeeds.
   */
  forceOpen(account: string): void {
    const breaker = this.breakerOf(account);
    if (breaker.opened) return;
    this.forcing.add(account);
    breaker.open();
    this.forcing.delete(account);
  }

  /** Runs `send` through the account's breaker. */
  async call(account: string, send: Action): Promise<SendOutcome | typeof REFUSED> {
    this.gate.called(account);
    try {
      return await this.breakerOf(account).fire(send);
    } catch (error) {
      if (error instanceof TrippingFailure) return error.outcome;
      if ((error as { code?: string }).code === 'EOPENBREAKER') return REFUSED;
      throw error;
    }
  }

  /** A bot's accounts in failover order: an open breaker pauses consumption only when a bot has no other. */
  group(bot: string, accounts: readonly string[]): void {
    this.gate.group(bot, accounts);
  }

  /** Open (not half-open): a send now would only be refused. */
  isOpen(account: string): boolean {
    return this.breakers.get(account)?.opened ?? false;
  }

  /** How long until the account's open breaker lets a probe through; 0 when it is not open. */
  reopensIn(account: string, now = Date.now()): number {
    return Math.max(0, (this.openUntil.get(account) ?? now) - now);
  }

  /** Whether open breakers have paused the channel's topics (its provider looks down for all). */
  get pausing(): boolean {
    return this.gate.blocking;
  }

  shutdown(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }

  private breakerOf(account: string): CircuitBreaker<[Action], SendOutcome> {
    let breaker = this.breakers.get(account);
    if (breaker) return breaker;
    breaker = new CircuitBreaker<[Action], SendOutcome>(
      async (send: Action) => {
        const outcome = await send();
        // An account refusing for its own reasons (a revoked token) is not down: counted as a
        // success, it never opens the breaker, which would pause the channel for every bot.
        if (!outcome.ok && outcome.failure === 'account' && !outcome.refused)
          throw new TrippingFailure(outcome);
        return outcome;
      },
      {
        name: account,
        // The HTTP client times provider calls out itself; an opossum timeout would leave the
        // request running and let a retry send the message twice.
        timeout: false,
        errorThresholdPercentage: this.settings.errorThresholdPercentage,
        volumeThreshold: this.settings.volumeThreshold,
        rollingCountTimeout: this.settings.rollingCountTimeout,
        resetTimeout: this.settings.resetTimeout,
        // Nothing reads latency percentiles or snapshots: computing them on every call and a
        // timer per breaker cost CPU on the hot path for no reader.
        rollingPercentilesEnabled: false,
        enableSnapshots: false,
      },
    );
    breaker.on('open', () => {
      this.openUntil.set(account, Date.now() + this.settings.resetTimeout);
      this.onState(account, 'open');
      this.gate.opened(account);
      if (!this.forcing.has(account)) this.onTripped(account);
    });
    breaker.on('halfOpen', () => {
      this.openUntil.delete(account);
      this.onState(account, 'halfOpen');
      this.gate.released(account);
    });
    breaker.on('close', () => {
      this.openUntil.delete(account);
      this.onState(account, 'closed');
      this.gate.released(account);
    });
    this.onState(account, 'closed');
    this.breakers.set(account, breaker);
    return breaker;
  }
}
