import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { describeError } from '@herald/errors';
import { IdempotencyRepository } from '@herald/persistence';

const SWEEP_EVERY_MS = 10 * 60_000;
const BATCH = 5_000;
const MAX_BATCHES = 20;

/** Deletes Idempotency-Key records past their 24 h, a bounded batch at a time, so the table stays small. */
@Injectable()
export class IdempotencySweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencySweeperService.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(private readonly keys: IdempotencyRepository) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .then(() => undefined)
        .finally(() => {
          this.sweeping = undefined;
        });
    }, SWEEP_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  async sweep(): Promise<number> {
    let total = 0;
    try {
      for (let i = 0; i < MAX_BATCHES; i++) {
        const deleted = await this.keys.purgeExpired(BATCH);
        total += deleted;
        if (deleted < BATCH) break;
      }
    } catch (error) {
      this.logger.warn(`could not purge expired idempotency keys: ${describeError(error)}`);
    }
    return total;
  }
}
