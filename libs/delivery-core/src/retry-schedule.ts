// The retry stages of a delivery topic: growing delays, one delayed topic each, then the DLQ.
// Built from configuration once, at module creation, so tests can use short delays.
import { retryTopicOf, type RetryTopic, type TopicName } from '@herald/contracts';

export interface RetryStage {
  /** Names the stage's topic: `<topic>.retry.<label>`. */
  label: string;
  delayMs: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** "250ms" → 250, "5s" → 5000, "5m" → 300000; throws on anything else. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration (e.g. 250ms, 5s, 5m, 1h)`);
  return Number(match[1]) * UNIT_MS[match[2]];
}

export function parseRetryStages(list: string): RetryStage[] {
  const stages = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((label) => ({ label, delayMs: parseDuration(label) }));
  const labels = new Set(stages.map((s) => s.label));
  if (labels.size !== stages.length)
    throw new Error(`retry delays must differ from each other: ${list}`);
  return stages;
}

/** Production default: 5 s, 30 s, 5 min. */
export const DEFAULT_RETRY_STAGES: readonly RetryStage[] = parseRetryStages('5s,30s,5m');

export class RetrySchedule {
  constructor(readonly stages: readonly RetryStage[] = DEFAULT_RETRY_STAGES) {}

  /** The retry topic for the attempt after `attempt` (0 = the first try), or null when attempts are exhausted. */
  nextTopic<T extends TopicName>(baseTopic: T, attempt: number): RetryTopic<T> | null {
    const stage = this.stages[attempt];
    return stage ? retryTopicOf(baseTopic, stage.label) : null;
  }

  /** The first stage's topic: where deliveries that did not get an attempt wait a little. */
  firstTopic<T extends TopicName>(baseTopic: T): RetryTopic<T> | null {
    return this.nextTopic(baseTopic, 0);
  }

  topicsOf<T extends TopicName>(baseTopic: T): RetryTopic<T>[] {
    return this.stages.map((s) => retryTopicOf(baseTopic, s.label));
  }

  /** Tries in all: the first plus one per stage. */
  get attempts(): number {
    return this.stages.length + 1;
  }
}
