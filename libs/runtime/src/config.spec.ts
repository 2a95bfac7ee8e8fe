import { IsInt, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { BaseConfig, ConfigError, loadConfig } from './config.js';

class AppConfig extends BaseConfig {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3000;
}

describe('loadConfig', () => {
  it('applies defaults and reads the environment', () => {
    const config = loadConfig(AppConfig, {
      PORT: '3100',
      KAFKA_BROKERS: '127.0.0.1:9092,127.0.0.1:9094',
    });
    expect(config.PORT).toBe(3100);
    expect(config.brokers).toEqual(['127.0.0.1:9092', '127.0.0.1:9094']);
    expect(config.DATABASE_URL).toMatch(/^postgres:\/\//);
  });

  it('lists every bad variable at once', () => {
    let caught: unknown;
    try {
      loadConfig(AppConfig, { PORT: 'x', KAFKA_BROKERS: 'nope', DATABASE_URL: 'mysql://a' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toContain('PORT');
    expect(problems).toContain('KAFKA_BROKERS');
    expect(problems).toContain('DATABASE_URL');
  });

  it('bounds every statement by default, takes 0 for none, and refuses a limit too short to work', () => {
    expect(loadConfig(AppConfig, {}).DATABASE_STATEMENT_TIMEOUT_MS).toBe(30_000);
    expect(
      loadConfig(AppConfig, { DATABASE_STATEMENT_TIMEOUT_MS: '0' }).DATABASE_STATEMENT_TIMEOUT_MS,
    ).toBe(0);
    for (const bad of ['50', '-1', 'soon', '600001'])
      expect(() => loadConfig(AppConfig, { DATABASE_STATEMENT_TIMEOUT_MS: bad })).toThrow(
        'DATABASE_STATEMENT_TIMEOUT_MS',
      );
  });

  it('requires a real encryption key in production', () => {
    expect(() => loadConfig(AppConfig, { NODE_ENV: 'production' })).toThrow(
      'HERALD_ENCRYPTION_KEY',
    );
    const kafka = {
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'herald-app',
      KAFKA_SASL_PASSWORD: 'pw',
    };
    expect(
      loadConfig(AppConfig, {
        NODE_ENV: 'production',
        HERALD_ENCRYPTION_KEY: 'k'.repeat(32),
        ...kafka,
      }).NODE_ENV,
    ).toBe('production');
  });
});
