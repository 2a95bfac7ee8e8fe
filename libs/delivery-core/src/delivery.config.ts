import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { BaseConfig } from '@herald/runtime';

const DURATION_LIST = /^\s*\d+(ms|s|m|h)(\s*,\s*\d+(ms|s|m|h))*\s*$/;

export class DeliveryConfig extends BaseConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3003;

  /**
   * Hosts, IPs or CIDRs a channel's provider base URL may reach although internal (an egress
   * proxy), comma-separated; never cloud metadata. Loopback (the sandbox) is allowed outside
   * production.
   */
  @IsString()
  PROVIDER_ALLOWED_HOSTS: string = '';

  /**
   * Provider calls in flight per process, across all partitions and retry topics: bounds
   * throughput (≈ concurrency / provider latency) and the crash-duplicate window.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(4096)
  DELIVERY_CONCURRENCY: number = 256;

  /**
   * People per process whose send has started and whose outcome is not yet written, across all
   * partitions and retry topics: a send waits while this many are. It is the most people a
   * kill -9 can leave to be sent a second time, however slow the database is.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65_536)
  DELIVERY_MAX_UNRECORDED: number = 2048;

  /**
   * `true`: a provider account's pacing and breaker are shared by every replica of this service
   * (through PostgreSQL); `false`: each process paces on its own (one replica per account only).
   */
  @IsIn(['true', 'false'])
  DELIVERY_SHARED_LIMITS: string = 'true';

  /**
   * A person whose account's pacing queue (in this process) would keep them waiting longer than
   * this is parked instead: their row waits as pending and their event is published again when
   * their turn comes, so a slowly paced account never holds its channel's partitions (and other
   * bots' people behind them) for longer than this. 0: never park.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600_000)
  DELIVERY_PARK_AFTER_MS: number = 10_000;

  /**
   * How long a delivery process keeps a bot's channel accounts (and which channels it has
   * enabled) before reading them again: an account added, disabled or re-paced by an operator
   * reaches the delivery services within this.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(300_000)
  DELIVERY_ACCOUNT_CACHE_MS: number = 30_000;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(120_000)
  PROVIDER_TIMEOUT_MS: number = 10_000;

  /**
   * Messenger: sends made to one Page at the same moment go as one Graph API batch request of
   * up to this many (each person still gets their own answer); 1 sends each as its own request.
   * WhatsApp and SMS send one request per message.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  GRAPH_BATCH_MAX: number = 50;

  /**
   * Delays of the retry stages, e.g. "5s,30s,5m": one retry topic each (named by its delay),
   * then the DLQ. Changing the list renames topics: let the old retry topics drain first.
   */
  @Matches(DURATION_LIST, {
    message:
      'DELIVERY_RETRY_DELAYS must be a comma-separated list of durations such as 5s,30s,5m (units ms, s, m, h)',
  })
  DELIVERY_RETRY_DELAYS: string = '5s,30s,5m';

  /** How long a provider status that matches no delivery yet (sent, not yet recorded) waits before another look. */
  @Matches(/^\s*\d+(ms|s|m|h)\s*$/, {
    message: 'DELIVERY_STATUS_RETRY_DELAY must be a duration such as 5s',
  })
  DELIVERY_STATUS_RETRY_DELAY: string = '5s';

  /** How many more looks such a status gets before it is dropped (statuses of messages Herald did not send never match). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(20)
  DELIVERY_STATUS_RETRY_ATTEMPTS: number = 3;

  /** Breaker: opens when more than this share of calls fail within the window… */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  BREAKER_ERROR_PERCENT: number = 50;

  /** …once at least this many calls were made in the window. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  BREAKER_MIN_CALLS: number = 10;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  BREAKER_WINDOW_MS: number = 10_000;

  /** How long an open breaker waits before letting one probe call through (half-open). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  BREAKER_RESET_MS: number = 10_000;
}
