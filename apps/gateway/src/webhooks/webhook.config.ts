// Platform-wide webhook settings, read once from the environment. A webhook is verified with the
// secret of the account it names (its channel's; see WebhookSecretsService): META_APP_SECRET is
// the platform default for channels that store no app secret of their own; TWILIO_AUTH_TOKEN
// only stands in for the provider sandbox outside production. Outside production they default
// to the sandbox's development values.
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

  /**
   * Meta App Secret(s) of the platform's app(s), comma-separated: X-Hub-Signature-256 of
   * webhooks naming a WhatsApp number or Page whose channel stores no appSecret of its own.
   */
  @IsString()
  META_APP_SECRET: string = '';

  /** The token Meta's GET verification handshake must present (hub.verify_token). */
  @IsString()
  META_VERIFY_TOKEN: string = '';

  /**
   * Outside production only: Twilio Auth Token(s) accepted for any account, as the provider
   * sandbox signs with one token. In production a Twilio webhook is verified only with the auth
   * token of the channel whose AccountSid it names.
   */
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

  get twilioDevelopmentTokens(): string[] {
    return this.NODE_ENV === 'production'
      ? []
      : this.or(this.TWILIO_AUTH_TOKEN, SANDBOX.twilioAuthToken);
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
