import { ErrorCode } from '@herald/errors';
import { loadConfig } from '@herald/runtime';
import { WebhookConfig } from './webhook.config.js';

describe('WebhookConfig', () => {
  it("defaults to the sandbox's secrets outside production", () => {
    const config = loadConfig(WebhookConfig, { NODE_ENV: 'test' });
    expect([
      config.metaAppSecrets,
      config.metaVerifyTokens,
      config.twilioDevelopmentTokens,
    ]).toEqual([['sandbox-app-secret'], ['sandbox-verify-token'], ['sandbox-auth-token']]);
  });

  it('has no secret in production unless given, and then refuses to verify (503)', () => {
    const config = loadConfig(WebhookConfig, { NODE_ENV: 'production', TWILIO_AUTH_TOKEN: 'a, b' });
    // In production only the channel's own auth token verifies a Twilio webhook.
    expect(config.twilioDevelopmentTokens).toEqual([]);
    expect(
      loadConfig(WebhookConfig, { NODE_ENV: 'test', TWILIO_AUTH_TOKEN: 'a, b' })
        .twilioDevelopmentTokens,
    ).toEqual(['a', 'b']);
    expect(config.metaAppSecrets).toEqual([]);
    expect(() => config.required(config.metaAppSecrets, 'META_APP_SECRET')).toThrow(
      expect.objectContaining({
        code: ErrorCode.DependencyUnavailable,
        message: expect.stringContaining('META_APP_SECRET'),
      }),
    );
  });

  it('refuses a public URL that is not http(s)', () => {
    expect(() => loadConfig(WebhookConfig, { WEBHOOK_PUBLIC_URL: 'ftp://x' })).toThrow(
      /WEBHOOK_PUBLIC_URL/,
    );
    expect(
      loadConfig(WebhookConfig, { WEBHOOK_PUBLIC_URL: 'https://herald.example.com/' }).publicUrl,
    ).toBe('https://herald.example.com');
  });
});
