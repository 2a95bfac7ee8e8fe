// `Idempotency-Key` on the public POSTs: the same key for the same bot within 24 h gets the first
// answer back and starts nothing new. Records live in PostgreSQL, so this holds across restarts
// and instances. See IdempotencyRepository for the claim protocol.
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, HeraldError, describeError } from '@herald/errors';
import { IdempotencyRepository } from '@herald/persistence';

/** A claim older than this belongs to a request that died; another may take it over. */
const LEASE_SECONDS = 30;
/** How long a duplicate waits for the first request to finish before answering 409. */
const WAIT_FOR_FIRST_MS = 5_000;
const POLL_MS = 100;
const KEY = /^[\x21-\x7e]{1,255}$/;

export interface Answer<T> {
  body: T;
  /** True when this is the stored answer of an earlier request with the same key. */
  replayed: boolean;
}

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';

/** One public POST (`@Idempotent()`): its bot, its Idempotency-Key as sent, where to mark a replay. */
export interface IdempotentCall {
  botId: string;
  key: string | undefined;
  reply: { header(name: string, value: string): unknown };
}

@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger(IdempotencyService.name);

  constructor(private readonly keys: IdempotencyRepository) {}

  /** Throws a 400 naming the header when the key is malformed; returns it otherwise. */
  static check(key: string | undefined): string | undefined {
    if (key === undefined) return undefined;
    if (!KEY.test(key)) {
      throw HeraldError.invalid(
        'Idempotency-Key',
        'The Idempotency-Key header must be 1 to 255 visible ASCII characters (no spaces).',
        'Use e.g. a UUID per logical request, and the same one when you retry it.',
      );
    }
    return key;
  }

  /**
   * A public POST's answer: a malformed Idempotency-Key is a 400 naming the header before `work`
   * runs (so before the body `work` parses); then `work` runs once per (bot, key), and a repeat
   * gets the stored answer marked `Idempotent-Replayed: true`.
   */
  async answer<T>(call: IdempotentCall, work: (runId: string) => Promise<T>): Promise<T> {
    const { body, replayed } = await this.once(call.botId, call.key, work);
    if (replayed) call.reply.header(REPLAYED_HEADER, 'true');
    return body;
  }

  /**
   * Runs `work` once per (bot, key): its answer is stored (2xx answers only; a failed request
   * starts nothing and gives its key back) and returned to later requests with the same key.
   * Without a key, `work` simply runs; a malformed one is refused before it runs. `work` gets the
   * run id it must use.
   */
  private async once<T>(
    botId: string,
    key: string | undefined,
    work: (runId: string) => Promise<T>,
    status = 200,
  ): Promise<Answer<T>> {
    if (key === undefined) return { body: await work(randomUUID()), replayed: false };
    IdempotencyService.check(key);
    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      const claim = await this.keys.claim(botId, key, randomUUID(), LEASE_SECONDS);
      if (claim.kind === 'done') return { body: claim.answer.body as T, replayed: true };
      if (claim.kind === 'claimed')
        return { body: await this.run(botId, key, claim.runId, work, status), replayed: false };
      if (Date.now() > deadline) {
        throw new HeraldError(
          ErrorCode.Conflict,
          'A request with this Idempotency-Key is still being processed.',
          {
            field: 'Idempotency-Key',
            fix: 'Retry in a few seconds to get its answer.',
          },
        );
      }
      await sleep(POLL_MS);
    }
  }

  private async run<T>(
    botId: string,
    key: string,
    runId: string,
    work: (runId: string) => Promise<T>,
    status: number,
  ): Promise<T> {
    let body: T;
    try {
      body = await work(runId);
    } catch (error) {
      await this.keys
        .release(botId, key, runId)
        .catch((e: unknown) => this.logger.warn(`could not release key: ${describeError(e)}`));
      throw error;
    }
    try {
      await this.keys.complete(botId, key, { status, body });
    } catch (error) {
      // The request was accepted (Kafka acknowledged it), so it is answered. The claim stays
      // pending: a retry after the lease re-publishes the same run id, which the audience
      // service stores once.
      this.logger.warn({
        msg: `accepted run ${runId}, but its Idempotency-Key answer was not stored: ${describeError(error)}`,
        runId,
      });
    }
    return body;
  }
}
