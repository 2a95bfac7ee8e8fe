// Pauses a channel's delivery topics (the topic and its retry twins) while a provider account
// breaker of the channel is open and some bot has no other account to send through, and
// resumes them when none is: open breakers do not burn retries, and a half-open breaker gets
// consumption back so one probe can go through. With provider failover (several accounts of a
// bot in priority order), an open breaker whose every bot has a healthy next account does not
// pause: those bots' people go out through the next account instead.
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

  constructor(
    private readonly consumer: Pausable,
    private readonly topics: readonly string[],
  ) {}

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

  private evaluate(account: string): void {
    const pause = this.stranded();
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
