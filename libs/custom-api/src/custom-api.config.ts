// The settings of the From-API client, as environment variables. A mixin, so an app's own
// validated config class (AudienceConfig) carries them beside its other settings.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Max, Min } from 'class-validator';
import type { CustomApiOptions } from './custom-api.client.js';

// A mixin's base constructor must take `any[]` (TS2545).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Constructor<T = object> = new (...args: any[]) => T;

export function WithCustomApiSettings<TBase extends Constructor>(Base: TBase) {
  class CustomApiSettings extends Base {
    /** Comma-separated host names, IP addresses or CIDR ranges allowed although internal (e.g. "127.0.0.1"); never cloud metadata. */
    @IsString()
    CUSTOM_API_ALLOWED_HOSTS: string = '';

    /** "true" allows every private, loopback and link-local address (trusted networks only); never cloud metadata. */
    @IsIn(['true', 'false'])
    CUSTOM_API_ALLOW_PRIVATE: string = 'false';

    @Type(() => Number)
    @IsInt()
    @Min(100)
    @Max(120_000)
    CUSTOM_API_TIMEOUT_MS: number = 10_000;

    @Type(() => Number)
    @IsInt()
    @Min(0)
    @Max(10)
    CUSTOM_API_RETRIES: number = 3;

    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(60_000)
    CUSTOM_API_RETRY_BASE_MS: number = 500;

    @Type(() => Number)
    @IsInt()
    @Min(1_000)
    @Max(100_000_000)
    CUSTOM_API_MAX_PAGE_BYTES: number = 5_000_000;

    @Type(() => Number)
    @IsInt()
    @Min(100)
    @Max(600_000)
    CUSTOM_API_BREAKER_RESET_MS: number = 30_000;

    /** Pages one run may fetch (a loop guard: 10,000 pages of 499 rows is about 5 million people). */
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(1_000_000)
    CUSTOM_API_MAX_PAGES: number = 10_000;
  }
  return CustomApiSettings;
}

/** The settings alone, for a process that has no other config class to carry them. */
export class CustomApiConfig extends WithCustomApiSettings(class {}) {}

export type CustomApiSettings = InstanceType<ReturnType<typeof WithCustomApiSettings>>;

export function customApiOptions(settings: CustomApiSettings): CustomApiOptions {
  return {
    timeoutMs: settings.CUSTOM_API_TIMEOUT_MS,
    retries: settings.CUSTOM_API_RETRIES,
    retryBaseMs: settings.CUSTOM_API_RETRY_BASE_MS,
    maxPageBytes: settings.CUSTOM_API_MAX_PAGE_BYTES,
    breakerResetMs: settings.CUSTOM_API_BREAKER_RESET_MS,
    allowPrivate: settings.CUSTOM_API_ALLOW_PRIVATE === 'true',
    allowedHosts: settings.CUSTOM_API_ALLOWED_HOSTS.split(',')
      .map((h) => h.trim())
      .filter(Boolean),
  };
}
