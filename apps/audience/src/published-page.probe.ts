// Answers "did page N of run R reach Kafka?" for a page that was written ahead and whose
// resolver stopped before recording it. The run's pages all go to one partition (key = run id),
// so only that partition is read, and only from shortly before the page was written ahead.
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { Topics } from '@herald/contracts';
import { ErrorCode, HeraldError, describeError } from '@herald/errors';
import { KafkaConnection, KeyPartitioner } from '@herald/kafka';

/** Producer timestamps are taken after the page was written ahead; this covers clock steps. */
const CLOCK_MARGIN_MS = 5_000;
const SCAN_TIMEOUT_MS = 60_000;

@Injectable()
export class PublishedPageProbe {
  private readonly logger = new Logger(PublishedPageProbe.name);

  constructor(private readonly connection: KafkaConnection) {}

  async wasPublished(runId: string, page: number, since: Date): Promise<boolean> {
    const topic = this.connection.physical(Topics.TargetResolved);
    const admin = this.connection.kafka.admin();
    await admin.connect();
    let range: { partition: number; start: number; end: number };
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitionMetadata = metadata.topics[0]?.partitions ?? [];
      // The publisher's own partitioner: the same key lands on the same partition.
      const partition = KeyPartitioner()({
        topic,
        partitionMetadata,
        message: { key: runId, value: null },
      });
      const starts = await admin.fetchTopicOffsetsByTimestamp(
        topic,
        since.getTime() - CLOCK_MARGIN_MS,
      );
      const ends = await admin.fetchTopicOffsets(topic);
      range = {
        partition,
        start: Number(starts.find((p) => p.partition === partition)?.offset ?? 0),
        end: Number(ends.find((p) => p.partition === partition)?.high ?? 0),
      };
    } finally {
      await admin.disconnect();
    }
    if (range.start >= range.end) return false;
    const found = await this.scan(topic, range, runId, page);
    this.logger.log({
      msg: `run ${runId}: page ${page} ${found ? 'had reached' : 'had not reached'} Kafka before its resolver stopped`,
      runId,
    });
    return found;
  }

  private async scan(
    topic: string,
    range: { partition: number; start: number; end: number },
    runId: string,
    page: number,
  ): Promise<boolean> {
    const groupId = `${this.connection.options.topicPrefix}herald-audience-probe-${randomUUID()}`;
    const consumer: Consumer = this.connection.kafka.consumer({
      groupId,
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
    });
    let settle!: (found: boolean) => void;
    const answer = new Promise<boolean>((resolve) => (settle = resolve));
    const timer = setTimeout(() => settle(false), SCAN_TIMEOUT_MS);
    let timedOut = true;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (batch.partition !== range.partition) return;
          for (const message of batch.messages) {
            const offset = Number(message.offset);
            if (offset < range.start) continue;
            if (offset >= range.end) return settleWith(false);
            if (message.key?.toString() === runId && pageOf(message.value) === page)
              return settleWith(true);
            if (offset === range.end - 1) return settleWith(false);
          }
        },
      });
      consumer.seek({ topic, partition: range.partition, offset: String(range.start) });
      const found = await answer;
      if (timedOut)
        throw HeraldError.outage(
          ErrorCode.DependencyUnavailable,
          `could not read back ${topic} partition ${range.partition} within ${SCAN_TIMEOUT_MS} ms`,
        );
      return found;
    } finally {
      clearTimeout(timer);
      await consumer
        .disconnect()
        .catch((error: unknown) =>
          this.logger.warn(`probe consumer did not disconnect: ${describeError(error)}`),
        );
    }

    function settleWith(found: boolean): void {
      timedOut = false;
      settle(found);
    }
  }
}

function pageOf(value: Buffer | null): number | undefined {
  if (!value) return undefined;
  try {
    const page = (JSON.parse(value.toString('utf8')) as { page?: unknown }).page;
    return typeof page === 'number' ? page : undefined;
  } catch {
    return undefined;
  }
}
