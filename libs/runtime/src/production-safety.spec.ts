import { IsString } from 'class-validator';
import { BaseConfig, ConfigError, loadConfig } from './config.js';
import { productionUrlProblems } from './production-safety.js';

class AppConfig extends BaseConfig {
  @IsString()
  PUBLIC_URL: string = 'http://127.0.0.1:3000';

  override productionProblems(): string[] {
    return [
      ...super.productionProblems(),
      ...productionUrlProblems('PUBLIC_URL', this.PUBLIC_URL, this.allowLoopbackInProduction),
    ];
  }
}

/** A class outside BaseConfig that holds webhook secrets, like the gateway's WebhookConfig. */
class SecretsConfig {
  @IsString()
  NODE_ENV: string = 'development';

  @IsString()
  META_APP_SECRET: string = '';

  @IsString()
  TWILIO_AUTH_TOKEN: string = '';
}

const problemsOf = (load: () => unknown): string[] => {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

const KEY = 'k'.repeat(32);
const KAFKA = {
  KAFKA_SSL: 'true',
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: 'herald-gateway',
  KAFKA_SASL_PASSWORD: 'scram-password',
};

describe('production refuses development defaults', () => {
  it('lists every unsafe default at once, each naming its variable', () => {
    const problems = problemsOf(() => loadConfig(AppConfig, { NODE_ENV: 'production' }));
    expect(problems).toEqual([
      'HERALD_ENCRYPTION_KEY must be set in production (it is the development key)',
      'KAFKA_SSL must be "true" in production (Kafka traffic would cross the network in clear)',
      'Kafka credentials must be set in production: KAFKA_SASL_MECHANISM=scram-sha-512 with KAFKA_SASL_USERNAME/PASSWORD, or a client certificate',
      'PUBLIC_URL (http://127.0.0.1:3000) is on loopback, a development default: set the real URL',
      'PUBLIC_URL (http://127.0.0.1:3000) is plain http: use https',
    ]);
  });

  it('lists them beside the invalid values', () => {
    const problems = problemsOf(() =>
      loadConfig(AppConfig, { NODE_ENV: 'production', KAFKA_BROKERS: 'nope' }),
    );
    expect(problems.some((p) => p.includes('KAFKA_BROKERS'))).toBe(true);
    expect(problems.some((p) => p.includes('HERALD_ENCRYPTION_KEY'))).toBe(true);
  });

  it('accepts a production configuration of its own', () => {
    expect(
      problemsOf(() =>
        loadConfig(AppConfig, {
          NODE_ENV: 'production',
          HERALD_ENCRYPTION_KEY: KEY,
          PUBLIC_URL: 'https://herald.example.com',
          ...KAFKA,
        }),
      ),
    ).toEqual([]);
  });

  it('leaves development and test alone', () => {
    expect(problemsOf(() => loadConfig(AppConfig, {}))).toEqual([]);
    expect(
      problemsOf(() =>
        loadConfig(AppConfig, { NODE_ENV: 'test', META_APP_SECRET: 'sandbox-app-secret' }),
      ),
    ).toEqual([]);
  });

  it('refuses the sandbox webhook secrets in any config class, also inside a comma-separated list', () => {
    const problems = problemsOf(() =>
      loadConfig(SecretsConfig, {
        NODE_ENV: 'production',
        META_APP_SECRET: 'real-secret, sandbox-app-secret',
        TWILIO_AUTH_TOKEN: 'sandbox-auth-token',
      }),
    );
    expect(problems).toEqual([
      "META_APP_SECRET holds the provider sandbox's Meta app secret, which is public: set a secret of your own",
      "TWILIO_AUTH_TOKEN holds the provider sandbox's Twilio auth token, which is public: set a secret of your own",
    ]);
    // A production secret is never echoed back in the problem.
    expect(problems.join(' ')).not.toContain('real-secret');
  });

  it('lets a one-machine production run (the benchmark) use loopback and http, never the development secrets', () => {
    const env = { NODE_ENV: 'production', HERALD_ALLOW_LOOPBACK_IN_PRODUCTION: 'true' };
    expect(problemsOf(() => loadConfig(AppConfig, { ...env, HERALD_ENCRYPTION_KEY: KEY }))).toEqual(
      [],
    );
    expect(problemsOf(() => loadConfig(AppConfig, env))).toEqual([
      'HERALD_ENCRYPTION_KEY must be set in production (it is the development key)',
    ]);
  });

  it('knows loopback in its spellings', () => {
    for (const url of [
      'https://localhost:1',
      'https://[::1]:2',
      'https://127.1.2.3',
      'https://api.localhost',
      'https://0.0.0.0',
    ]) {
      expect([url, productionUrlProblems('X', url, false).length]).toEqual([url, 1]);
    }
    expect(productionUrlProblems('X', 'https://graph.facebook.com', false)).toEqual([]);
    expect(productionUrlProblems('X', '', false)).toEqual([]);
  });
});
