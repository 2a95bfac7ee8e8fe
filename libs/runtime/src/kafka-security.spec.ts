import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BaseConfig, ConfigError, loadConfig } from './config.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(BaseConfig, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('Kafka TLS and SASL settings', () => {
  it('default to a plain local broker', () => {
    expect(loadConfig(BaseConfig, {}).KAFKA_SSL).toBe('false');
  });

  it('turn into kafkajs ssl and sasl options, the CA read from a file or given as PEM', async () => {
    const { kafkaSecurityOf } = await import('./kafka-security.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'herald-ca-'));
    writeFileSync(path.join(dir, 'ca.crt'), PEM);
    const config = loadConfig(BaseConfig, {
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA: path.join(dir, 'ca.crt'),
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'herald-audience',
      KAFKA_SASL_PASSWORD: 'pw',
    });
    expect(kafkaSecurityOf(config).security).toEqual({
      ssl: { ca: PEM },
      sasl: { mechanism: 'scram-sha-512', username: 'herald-audience', password: 'pw' },
    });
    expect(
      kafkaSecurityOf(loadConfig(BaseConfig, { KAFKA_SSL: 'true', KAFKA_SSL_CA: PEM })).security,
    ).toEqual({ ssl: { ca: PEM } });
    expect(kafkaSecurityOf(loadConfig(BaseConfig, { KAFKA_SSL: 'true' })).security).toEqual({
      ssl: true,
    });
  });

  it('are refused at boot when they do not hold together, each named', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toEqual([
      'KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set',
      'KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM is set',
    ]);
    expect(
      problemsOf({
        KAFKA_SASL_MECHANISM: 'gssapi',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      }),
    ).toEqual(['KAFKA_SASL_MECHANISM must be scram-sha-512, scram-sha-256, plain or empty']);
    expect(problemsOf({ KAFKA_SASL_USERNAME: 'u' })[0]).toMatch(/without KAFKA_SASL_MECHANISM/);
    expect(problemsOf({ KAFKA_SSL_CA: PEM })[0]).toMatch(
      /KAFKA_SSL_CA set while KAFKA_SSL is not "true"/,
    );
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CERT: PEM })[0]).toMatch(
      /KAFKA_SSL_CERT and KAFKA_SSL_KEY go together/,
    );
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA: '/nonexistent/ca.crt' })[0]).toMatch(
      /KAFKA_SSL_CA names \/nonexistent\/ca.crt, which cannot be read \(ENOENT\)/,
    );
  });

  it('never echo the SASL password in a problem', () => {
    expect(problemsOf({ KAFKA_SASL_PASSWORD: 'hunter2-secret' }).join(' ')).not.toContain(
      'hunter2-secret',
    );
  });
});
