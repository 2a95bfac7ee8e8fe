import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { BaseConfig } from '@herald/runtime';

export class GatewayConfig extends BaseConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  /** Bearer key of the admin API. When unset outside production, one is generated at start. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'HERALD_ADMIN_KEY must be at least 16 characters' })
  HERALD_ADMIN_KEY?: string = undefined;

  /** Base of the hook URLs handed to operators. */
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'HERALD_PUBLIC_URL must be an http(s) URL' })
  HERALD_PUBLIC_URL: string = 'http://127.0.0.1:3000';

  /**
   * Comma-separated IPs/CIDRs of the proxies in front of the gateway (ingress, load balancer).
   * Only from these is X-Forwarded-For believed when checking a hook's allowedHosts; empty = the
   * socket's peer is the caller.
   */
  @IsString()
  HERALD_TRUSTED_PROXIES: string = '';

  /** Provider base URL used when a channel's config names none (the local sandbox). */
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'PROVIDER_DEFAULT_BASE_URL must be an http(s) URL' })
  PROVIDER_DEFAULT_BASE_URL: string = 'http://127.0.0.1:3999';
}
