// KAFKA_SSL* and KAFKA_SASL_* as the kafkajs settings every client of a service uses, with what
// is wrong in them (an unreadable CA file, a certificate without its key, TLS files with TLS off).
import { readFileSync } from 'node:fs';
import type { KafkaSecurity } from '@herald/kafka';

export interface KafkaSecuritySettings {
  KAFKA_SSL: string;
  KAFKA_SSL_CA: string;
  KAFKA_SSL_CERT: string;
  KAFKA_SSL_KEY: string;
  KAFKA_SASL_MECHANISM: string;
  KAFKA_SASL_USERNAME: string;
  KAFKA_SASL_PASSWORD: string;
}

export function kafkaSecurityOf(settings: KafkaSecuritySettings): {
  security: KafkaSecurity;
  problems: string[];
} {
  const problems: string[] = [];
  const pem = (
    variable: 'KAFKA_SSL_CA' | 'KAFKA_SSL_CERT' | 'KAFKA_SSL_KEY',
  ): string | undefined => {
    const file = settings[variable];
    if (!file) return undefined;
    // The PEM itself (from a Secret key, e.g. Strimzi's <cluster>-cluster-ca-cert ca.crt) or a file holding it.
    if (file.includes('-----BEGIN')) return file;
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      problems.push(
        `${variable} names ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
      return undefined;
    }
  };
  const tls = settings.KAFKA_SSL === 'true';
  const files = (['KAFKA_SSL_CA', 'KAFKA_SSL_CERT', 'KAFKA_SSL_KEY'] as const).filter(
    (v) => settings[v],
  );
  if (!tls && files.length > 0)
    problems.push(`${files.join(', ')} set while KAFKA_SSL is not "true": set KAFKA_SSL=true`);
  if (Boolean(settings.KAFKA_SSL_CERT) !== Boolean(settings.KAFKA_SSL_KEY)) {
    problems.push(
      'KAFKA_SSL_CERT and KAFKA_SSL_KEY go together (a client certificate and its private key)',
    );
  }
  const ca = pem('KAFKA_SSL_CA');
  const cert = pem('KAFKA_SSL_CERT');
  const key = pem('KAFKA_SSL_KEY');
  const security: KafkaSecurity = {};
  if (tls)
    security.ssl =
      ca || cert || key
        ? { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) }
        : true;
  const mechanism = settings.KAFKA_SASL_MECHANISM;
  if (mechanism) {
    for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (!settings[variable])
        problems.push(`${variable} is required when KAFKA_SASL_MECHANISM is set`);
    }
    security.sasl = {
      mechanism: mechanism as 'plain' | 'scram-sha-256' | 'scram-sha-512',
      username: settings.KAFKA_SASL_USERNAME,
      password: settings.KAFKA_SASL_PASSWORD,
    };
  } else if (settings.KAFKA_SASL_USERNAME || settings.KAFKA_SASL_PASSWORD) {
    problems.push(
      'KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD set without KAFKA_SASL_MECHANISM: set it (e.g. scram-sha-512)',
    );
  }
  return { security, problems };
}

/** Production wants Kafka encrypted and authenticated: ACLs mean nothing to an anonymous client. */
export function kafkaProductionProblems(settings: KafkaSecuritySettings): string[] {
  const problems: string[] = [];
  if (settings.KAFKA_SSL !== 'true')
    problems.push(
      'KAFKA_SSL must be "true" in production (Kafka traffic would cross the network in clear)',
    );
  if (!settings.KAFKA_SASL_MECHANISM && !settings.KAFKA_SSL_CERT) {
    problems.push(
      'Kafka credentials must be set in production: KAFKA_SASL_MECHANISM=scram-sha-512 with KAFKA_SASL_USERNAME/PASSWORD, or a client certificate',
    );
  }
  return problems;
}
