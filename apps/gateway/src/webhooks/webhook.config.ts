// Secrets the provider webhooks are verified with, read once from the environment. Outside
// production they default to the provider sandbox's development values; in production a
// provider whose secret is unset gets 503 on its webhook (nothing unverified is accepted).
import { IsIn, IsString, Matches, ValidateIf } from 'class-validator';
import { ErrorCode, HeraldError } from '@herald/errors';

const SANDBOX = {
  metaAppSecret: 'sandbox-app-secret',
  metaVerifyToken: 'sandbox-verify-token',
  twilioAuthToken: 'sandbox-auth-token',
};

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export class WebhookConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: string = 'development';

  /** Meta App Secret(s), comma-separated when several apps point here: X-Hub-Signature-256. */
  @IsString()
  META_APP_SECRET: string = '';

  /** The token Meta's GET verification handshake must present (hub.verify_token). */
  @IsString()
  META_VERIFY_TOKEN: string = '';

  /** Twilio Auth Token(s) of the accounts posting here: X-Twilio-Signature. */
  @IsString()
  TWILIO_AUTH_TOKEN: string = '';

  /** The public base URL Twilio calls (behind a proxy that rewrites it), for the signed URL. */
  @ValidateIf((c: WebhookConfig) => c.WEBHOOK_PUBLIC_URL !== '')
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'WEBHOOK_PUBLIC_URL must be an http(s) URL' })
  WEBHOOK_PUBLIC_URL: string = '';

  private or(value: string, sandbox: string): string[] {
    const given = list(value);
    return given.length > 0 || this.NODE_ENV === 'production' ? given : [sandbox];
  }

  get metaAppSecrets(): string[] {
    return this.or(this.META_APP_SECRET, SANDBOX.metaAppSecret);
  }

  get metaVerifyTokens(): string[] {
    return this.or(this.META_VERIFY_TOKEN, SANDBOX.metaVerifyToken);
  }

  get twilioAuthTokens(): string[] {
    return this.or(this.TWILIO_AUTH_TOKEN, SANDBOX.twilioAuthToken);
  }

  get publicUrl(): string | undefined {
    return this.WEBHOOK_PUBLIC_URL.replace(/\/+$/, '') || undefined;
  }

  required(secrets: string[], variable: string): string[] {
    if (secrets.length === 0) {
      throw new HeraldError(
        ErrorCode.DependencyUnavailable,
        `${variable} is not set: webhooks signed with it cannot be verified`,
        { fix: `Set ${variable} on the gateway.` },
      );
    }
    return secrets;
  }
}
