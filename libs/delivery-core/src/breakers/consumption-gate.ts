// Pauses a channel's delivery topics (the topic and its retry twins) while the channel's provider
// looks down for everyone: a provider account breaker is open, some bot has no other account to
// send through, and no account called in the last window is healthy. It resumes them when that
// ends: open breakers do not burn retries, and a half-open breaker gets consumption back so one
// probe can go through. With provider failover (several accounts of a bot in priority order), an
// open breaker whose every bot has a healthy next account does not pause: those bots' people go
// out through the next account instead. And an open breaker while other accounts send does not
// pause either: it is that account's trouble, not the provider's, and its bots' people are parked
// until it lets calls through (DeliverService), so one bot's failing account holds nobody else.
import { Logger } from '@nestjs/common';

/** What the gate drives: HeraldKafkaServer's topic-wide pause/resume. */
export interface Pausable {
  pause(topic: string): void;
  resume(topic: string): void;
}

export class ConsumptionGate {
  private readonly logger = new Logger(ConsumptionGate.name);
  private readonly open = new Set<string>();
  /** Per account: each bot's list of accounts it belongs to (as seen by the delivery service). */
  private readonly groups = new Map<string, Map<string, readonly string[]>>();
  private paused = false;
  /** Per account: when this process last called its provider. */
  private readonly lastCalled = new Map<string, number>();

  constructor(
    private readonly consumer: Pausable,
    private readonly topics: readonly string[],
    /** How recent a call must be for its account to count (the breakers' rolling window). */
    private readonly windowMs = 10_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A call through `account` is being made. */
  called(account: string): void {
    this.lastCalled.set(account, this.clock());
  }

  /**
   * The accounts a bot sends through, in failover order. An account the gate has never seen in
   * a group counts as having no alternative (it pauses, as before failover existed).
   */
  group(bot: string, accounts: readonly string[]): void {
    for (const account of accounts) {
      let byBot = this.groups.get(account);
      if (!byBot) this.groups.set(account, (byBot = new Map()));
      byBot.set(bot, accounts);
    }
    this.evaluate(accounts[0] ?? '');
  }

  opened(account: string): void {
    this.open.add(account);
    this.evaluate(account);
  }

  /** Half-open or closed: no longer blocking. */
  released(account: string): void {
    if (!this.open.delete(account)) return;
    this.evaluate(account);
  }

  get blocking(): boolean {
    return this.paused;
  }

  /** Whether some open account leaves a bot without a healthy account to send through. */
  private stranded(): boolean {
    for (const account of this.open) {
      const byBot = this.groups.get(account);
      if (!byBot || byBot.size === 0) return true;
      for (const accounts of byBot.values())
        if (accounts.every((a) => this.open.has(a))) return true;
    }
    return false;
  }

  /**
   * Whether the channel's provider looks down for everyone: this process called it within the
   * window, and every account it called has its breaker open (one account, or an outage of the
   * provider). A process that called nobody lately (a breaker opened by another replica) has no
   * such evidence: its people of that account are parked instead.
   */
  private channelDown(): boolean {
    const since = this.clock() - this.windowMs;
    let called = false;
    for (const [account, at] of this.lastCalled) {
      if (at < since) this.lastCalled.delete(account);
      else if (!this.open.has(account)) return false;
      else called = true;
    }
    return called;
  }

  private evaluate(account: string): void {
    const pause = this.stranded() && this.channelDown();
    if (pause === this.paused) return;
    this.paused = pause;
    if (pause) {
      this.logger.warn(`Breaker of ${account} opened: pausing ${this.topics.join(', ')}`);
      for (const topic of this.topics) this.consumer.pause(topic);
    } else {
      this.logger.log(`No breaker strands a bot (${account}): resuming ${this.topics.join(', ')}`);
      for (const topic of this.topics) this.consumer.resume(topic);
    }
  }
}
