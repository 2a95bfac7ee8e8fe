import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { BaseConfig, productionUrlProblems } from '@herald/runtime';

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

  /** The first console admin, created at boot when no operator has this email (see README, Console). */
  @IsOptional()
  @IsString()
  HERALD_CONSOLE_ADMIN_EMAIL?: string = undefined;

  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'HERALD_CONSOLE_ADMIN_PASSWORD must be at least 12 characters' })
  HERALD_CONSOLE_ADMIN_PASSWORD?: string = undefined;

  /** The built console's folder; empty: dist/console under the working directory. */
  @IsString()
  HERALD_CONSOLE_DIR: string = '';

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

  /**
   * Per channel type, the base URL a new channel of that type gets when its config names none,
   * instead of PROVIDER_DEFAULT_BASE_URL: WhatsApp and Messenger share the Graph API, SMS goes
   * to Twilio. Empty: PROVIDER_DEFAULT_BASE_URL.
   */
  @Matches(/^(https?:\/\/[^\s]+)?$/, {
    message: 'PROVIDER_BASE_URL_WHATSAPP must be an http(s) URL or empty',
  })
  PROVIDER_BASE_URL_WHATSAPP: string = '';

  @Matches(/^(https?:\/\/[^\s]+)?$/, {
    message: 'PROVIDER_BASE_URL_SMS must be an http(s) URL or empty',
  })
  PROVIDER_BASE_URL_SMS: string = '';

  @Matches(/^(https?:\/\/[^\s]+)?$/, {
    message: 'PROVIDER_BASE_URL_MESSENGER must be an http(s) URL or empty',
  })
  PROVIDER_BASE_URL_MESSENGER: string = '';

  // Quotas per bot on the public APIs, counted across every gateway instance (each enforces its
  // share; see GatewayPeers). Chatfuel V1's is the bot's own rateLimitRps (seed 002: 25/s).
  /** Calls per second a bot's hooks (GET and POST, direct mode included) accept together. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  HERALD_QUOTA_HOOK_PER_SECOND: number = 25;

  /** Calls per second per bot to Chatfuel V2 (POST /v2/:botId/send, /public/bots/:botId/send). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  HERALD_QUOTA_CHATFUEL_V2_PER_SECOND: number = 25;

  /** Calls per second per bot to CSML broadcasts (POST /v1/api/broadcasts). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  HERALD_QUOTA_CSML_PER_SECOND: number = 25;

  /**
   * Failed authentications (no, wrong or revoked token; unknown hook key) per caller address per
   * minute, across instances; past it the address gets 429 before any token is looked up.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  HERALD_AUTH_FAILURES_PER_MINUTE: number = 30;

  /** Production wants its own admin key (a generated one is printed to the log) and real, https URLs. */
  override productionProblems(): string[] {
    const local = this.allowLoopbackInProduction;
    return [
      ...super.productionProblems(),
      ...(this.HERALD_ADMIN_KEY
        ? []
        : ['HERALD_ADMIN_KEY must be set in production (a generated key is for development only)']),
      ...productionUrlProblems('HERALD_PUBLIC_URL', this.HERALD_PUBLIC_URL, local),
      ...productionUrlProblems('PROVIDER_DEFAULT_BASE_URL', this.PROVIDER_DEFAULT_BASE_URL, local),
      ...productionUrlProblems(
        'PROVIDER_BASE_URL_WHATSAPP',
        this.PROVIDER_BASE_URL_WHATSAPP,
        local,
      ),
      ...productionUrlProblems('PROVIDER_BASE_URL_SMS', this.PROVIDER_BASE_URL_SMS, local),
      ...productionUrlProblems(
        'PROVIDER_BASE_URL_MESSENGER',
        this.PROVIDER_BASE_URL_MESSENGER,
        local,
      ),
    ];
  }
}
