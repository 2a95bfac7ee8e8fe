// Who wants a topic's partitions paused. kafkajs keeps one pause flag set per topic, and resuming
// one partition of a topic paused as a whole lets that partition through, so the topic-wide pause
// (an operator or circuit breaker) and per-partition holds (retry backoff, delayed events) are
// combined here and only the resulting pause/resume calls reach kafkajs.

export type PauseAction = { op: 'pause' | 'resume'; partitions?: number[] };

export class PauseState {
  private topicPaused = false;
  private readonly held = new Set<number>();

  get paused(): boolean {
    return this.topicPaused;
  }

  /** True when the partition must not be processed now (topic paused or partition held). */
  blocks(partition: number): boolean {
    return this.topicPaused || this.held.has(partition);
  }

  pauseTopic(): PauseAction[] {
    if (this.topicPaused) return [];
    this.topicPaused = true;
    return [{ op: 'pause' }];
  }

  resumeTopic(): PauseAction[] {
    if (!this.topicPaused) return [];
    this.topicPaused = false;
    const actions: PauseAction[] = [{ op: 'resume' }];
    if (this.held.size > 0)
      actions.push({ op: 'pause', partitions: [...this.held].sort((a, b) => a - b) });
    return actions;
  }

  /** Pauses that restore the whole state on a consumer that lost its own (kafkajs restarts it after a crash). */
  current(): PauseAction[] {
    if (this.topicPaused) return [{ op: 'pause' }];
    return this.held.size > 0
      ? [{ op: 'pause', partitions: [...this.held].sort((a, b) => a - b) }]
      : [];
  }

  hold(partition: number): PauseAction[] {
    if (this.held.has(partition)) return [];
    this.held.add(partition);
    return this.topicPaused ? [] : [{ op: 'pause', partitions: [partition] }];
  }

  release(partition: number): PauseAction[] {
    if (!this.held.delete(partition)) return [];
    return this.topicPaused ? [] : [{ op: 'resume', partitions: [partition] }];
  }
}
