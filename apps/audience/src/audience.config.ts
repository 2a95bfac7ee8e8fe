import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { WithCustomApiSettings } from '@herald/custom-api';
import { BaseConfig } from '@herald/runtime';

export class AudienceConfig extends WithCustomApiSettings(BaseConfig) {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3001;

  /** Targets per TargetResolved event (and per keyset page). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  AUDIENCE_PAGE_SIZE: number = 500;

  /** How often this instance looks for runs to claim (new, due, or left by a stopped instance). */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(60_000)
  SCHEDULER_INTERVAL_MS: number = 500;

  /** Runs one instance resolves at the same time; more wait in PostgreSQL for any instance. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  AUDIENCE_MAX_CONCURRENT_RUNS: number = 4;

  /**
   * How long a run stays with an instance that stops renewing its claim (renewed every third
   * of it): after a crash, another instance resumes the run this long after the last renewal.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  AUDIENCE_LEASE_MS: number = 30_000;
}
