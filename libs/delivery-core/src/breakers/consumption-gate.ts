// Pauses a channel's delivery topics (the topic and its retry twins) while any provider account
// breaker of the channel is open, and resumes them when none is: open breakers do not burn
// retries, and a half-open breaker gets consumption back so one probe can go through.
import { Logger } from '@nestjs/common';

/** What the gate drives: HeraldKafkaServer's topic-wide pause/resume. */
export interface Pausable {
  pause(topic: string): void;
  resume(topic: string): void;
}

export class ConsumptionGate {
  private readonly logger = new Logger(ConsumptionGate.name);
  private readonly open = new Set<string>();

  constructor(
    private readonly consumer: Pausable,
    private readonly topics: readonly string[],
  ) {}

  opened(account: string): void {
    const first = this.open.size === 0;
    this.open.add(account);
    if (!first) return;
    this.logger.warn(`Breaker of ${account} opened: pausing ${this.topics.join(', ')}`);
    for (const topic of this.topics) this.consumer.pause(topic);
  }

  /** Half-open or closed: no longer blocking. */
  released(account: string): void {
    if (!this.open.delete(account) || this.open.size > 0) return;
    this.logger.log(`No breaker open (${account} released): resuming ${this.topics.join(', ')}`);
    for (const topic of this.topics) this.consumer.resume(topic);
  }

  get blocking(): boolean {
    return this.open.size > 0;
  }
}
