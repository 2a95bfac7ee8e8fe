import { ConfigError, loadConfig } from '@herald/runtime';
import { GatewayConfig } from './gateway.config.js';
import { WebhookConfig } from './webhooks/webhook.config.js';

const problemsOf = (load: () => unknown): string[] => {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('the gateway in production', () => {
  it('refuses to start on the sandbox defaults, listing each', () => {
    const problems = problemsOf(() =>
      loadConfig(GatewayConfig, {
        NODE_ENV: 'production',
        PROVIDER_BASE_URL_SMS: 'http://api.twilio.example.test',
      }),
    );
    expect(problems).toEqual([
      'HERALD_ENCRYPTION_KEY must be set in production (it is the development key)',
      'KAFKA_SSL must be "true" in production (Kafka traffic would cross the network in clear)',
      'Kafka credentials must be set in production: KAFKA_SASL_MECHANISM=scram-sha-512 with KAFKA_SASL_USERNAME/PASSWORD, or a client certificate',
      'HERALD_ADMIN_KEY must be set in production (a generated key is for development only)',
      'HERALD_PUBLIC_URL (http://127.0.0.1:3000) is on loopback, a development default: set the real URL',
      'HERALD_PUBLIC_URL (http://127.0.0.1:3000) is plain http: use https',
      'PROVIDER_DEFAULT_BASE_URL (http://127.0.0.1:3999) is on loopback, a development default: set the real URL',
      'PROVIDER_DEFAULT_BASE_URL (http://127.0.0.1:3999) is plain http: use https',
      'PROVIDER_BASE_URL_SMS (http://api.twilio.example.test) is plain http: use https',
    ]);
  });

  it('starts with its own secrets and https provider URLs', () => {
    const env = {
      NODE_ENV: 'production',
      HERALD_ENCRYPTION_KEY: 'e'.repeat(40),
      HERALD_ADMIN_KEY: 'hak_' + 'a'.repeat(30),
      HERALD_PUBLIC_URL: 'https://herald.example.com',
      PROVIDER_DEFAULT_BASE_URL: 'https://graph.facebook.com',
      PROVIDER_BASE_URL_SMS: 'https://api.twilio.com',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'herald-gateway',
      KAFKA_SASL_PASSWORD: 'scram-password',
    };
    expect(problemsOf(() => loadConfig(GatewayConfig, env))).toEqual([]);
  });

  it('refuses the sandbox webhook secrets', () => {
    const problems = problemsOf(() =>
      loadConfig(WebhookConfig, {
        NODE_ENV: 'production',
        META_APP_SECRET: 'sandbox-app-secret',
        META_VERIFY_TOKEN: 'sandbox-verify-token',
        TWILIO_AUTH_TOKEN: 'sandbox-auth-token',
      }),
    );
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'META_APP_SECRET',
      'META_VERIFY_TOKEN',
      'TWILIO_AUTH_TOKEN',
    ]);
    expect(problemsOf(() => loadConfig(WebhookConfig, { NODE_ENV: 'development' }))).toEqual([]);
  });
});
