// Dead letters as operators see and mend them: list (keyset pages, newest first), read one, and
// replay one onto its contract topic after a fix. The audience service's ledger writes the rows;
// the gateway only marks replays.
import { Injectable } from '@nestjs/common';
import { ALL_TOPICS, parseEvent, type TopicName } from '@herald/contracts';
import { ErrorCode, HeraldError } from '@herald/errors';
import { EventPublisher, redactSecrets } from '@herald/kafka';
import {
  DeadLetterAdminRepository,
  type DeadLetterDetail,
  type DeadLetterSummary,
} from '@herald/persistence';
import { GatewayConfig } from '../gateway.config.js';
import { toPage, type Page } from '../http/keyset-cursor.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface DeadLetterQuery {
  topic?: string;
  botId?: string;
  runId?: string;
}

export interface DeadLetterView {
  id: string;
  /** Contract topic: the record was in `<topic>.dlq`, and a replay publishes it on `<topic>`. */
  topic: string;
  /** Where it was consumed from (a retry topic maybe). */
  sourceTopic: string | null;
  /** When it was dead-lettered (when the ledger stored it, if the record did not say). */
  at: Date;
  reason: string | null;
  class: string | null;
  code: string | null;
  attempts: number | null;
  runId: string | null;
  botId: string | null;
  key: string | null;
  replayedAt: Date | null;
  replays: number;
}

export interface DeadLetterDetailView extends DeadLetterView {
  dlq: { topic: string; partition: number; offset: string };
  source: { topic: string | null; partition: number | null; offset: string | null };
  storedAt: Date;
  headers: Record<string, string>;
  /** The value: parsed JSON (secret-named fields redacted), else the text, else base64 bytes. */
  value: unknown;
  valueEncoding: 'json' | 'utf8' | 'base64' | 'none';
  valueBytes: number;
  valueTruncated: boolean;
}

@Injectable()
export class DeadLetterAdminService {
  constructor(
    private readonly config: GatewayConfig,
    private readonly deadLetters: DeadLetterAdminRepository,
    private readonly publisher: EventPublisher,
  ) {}

  async list(
    query: DeadLetterQuery,
    afterId: string | null,
    limit: number,
  ): Promise<Page<DeadLetterView>> {
    const filter = checkedFilter(query);
    const rows = await this.deadLetters.page(
      this.config.HERALD_TOPIC_PREFIX,
      filter,
      afterId,
      limit + 1,
    );
    return toPage(rows, limit, (r) => r.id, summaryView);
  }

  async get(id: string): Promise<DeadLetterDetailView> {
    return detailView(await this.find(id));
  }

  /**
   * Publishes the record as it first was (key, value, headers including ce_id, without the
   * herald_dlq_* ones) on its contract topic. Consumers are idempotent by event and by
   * (run, contact), so replaying twice messages nobody twice.
   */
  async replay(id: string): Promise<DeadLetterDetailView> {
    const letter = await this.find(id);
    if (letter.valueTruncated) {
      throw new HeraldError(
        ErrorCode.Conflict,
        `Dead letter ${id} was not kept whole (${letter.valueBytes} bytes; the ledger keeps up to 4 MiB) and cannot be replayed.`,
        {
          fix: `Read the whole record from ${letter.topic}.dlq, partition ${letter.dlqPartition}, offset ${letter.dlqOffset}, and publish it yourself.`,
        },
      );
    }
    if (!(ALL_TOPICS as readonly string[]).includes(letter.topic)) {
      throw new HeraldError(
        ErrorCode.Conflict,
        `Dead letter ${id} came from ${letter.topic}, which is no contract topic of this Herald; it cannot be replayed.`,
      );
    }
    const value =
      letter.value === null
        ? null
        : Buffer.from(letter.value, letter.valueEncoding === 'base64' ? 'base64' : 'utf8');
    // What would come straight back to the DLQ is refused here, with the consumer's own words.
    const parsed = parseEvent(letter.topic as TopicName, letter.headers, value);
    if (!parsed.ok) {
      throw new HeraldError(
        ErrorCode.Conflict,
        `Dead letter ${id} is not a valid ${letter.topic} event, so a replay would be dead-lettered again: ${parsed.problem}`,
        {
          fix: 'A replay sends the record unchanged: publish a corrected event instead.',
        },
      );
    }
    await this.publisher.publishRaw(letter.topic, [
      { key: letter.key, value, headers: letter.headers },
    ]);
    const marked = await this.deadLetters.markReplayed(this.config.HERALD_TOPIC_PREFIX, id);
    return detailView(marked ?? letter);
  }

  private async find(id: string): Promise<DeadLetterDetail> {
    const letter = await this.deadLetters.findById(this.config.HERALD_TOPIC_PREFIX, id);
    if (!letter)
      throw new HeraldError(ErrorCode.NotFound, `Dead letter ${id} does not exist.`, {
        fix: 'List them with GET /admin/dead-letters.',
      });
    return letter;
  }
}

function checkedFilter(query: DeadLetterQuery): DeadLetterQuery {
  const { topic, botId, runId } = query;
  if (topic && !(ALL_TOPICS as readonly string[]).includes(topic)) {
    throw HeraldError.invalid(
      'topic',
      `topic ${JSON.stringify(topic.slice(0, 100))} is not a contract topic.`,
      `Use one of ${ALL_TOPICS.join(', ')} (without ".dlq").`,
    );
  }
  for (const [field, value] of [
    ['botId', botId],
    ['runId', runId],
  ] as const) {
    if (value && !UUID.test(value)) throw HeraldError.invalid(field, `${field} must be a UUID.`);
  }
  return {
    topic: topic || undefined,
    botId: botId?.toLowerCase() || undefined,
    runId: runId?.toLowerCase() || undefined,
  };
}

export function summaryView(row: DeadLetterSummary): DeadLetterView {
  return {
    id: row.id,
    topic: row.topic,
    sourceTopic: row.sourceTopic,
    at: row.deadAt ?? row.createdAt,
    reason: row.reason,
    class: row.class,
    code: row.code,
    attempts: row.attempts,
    runId: row.runId,
    botId: row.botId,
    key: row.key,
    replayedAt: row.replayedAt,
    replays: row.replays,
  };
}

export function detailView(row: DeadLetterDetail): DeadLetterDetailView {
  return {
    ...summaryView(row),
    dlq: { topic: `${row.topic}.dlq`, partition: row.dlqPartition, offset: row.dlqOffset },
    source: { topic: row.sourceTopic, partition: row.sourcePartition, offset: row.sourceOffset },
    storedAt: row.createdAt,
    headers: row.headers,
    ...shownValue(row),
    valueBytes: row.valueBytes,
    valueTruncated: row.valueTruncated,
  };
}

function shownValue(row: DeadLetterDetail): Pick<DeadLetterDetailView, 'value' | 'valueEncoding'> {
  if (row.value === null) return { value: null, valueEncoding: 'none' };
  if (row.valueEncoding === 'base64') return { value: row.value, valueEncoding: 'base64' };
  if (!row.valueTruncated) {
    try {
      // Events may carry tokens (Messenger notification tokens): shown redacted, replayed whole.
      return { value: redactSecrets(JSON.parse(row.value)), valueEncoding: 'json' };
    } catch {
      // Not JSON: shown as the text it is.
    }
  }
  return { value: row.value, valueEncoding: 'utf8' };
}
