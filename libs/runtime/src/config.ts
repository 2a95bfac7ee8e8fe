// Config is a validated class per app, loaded once at boot; every bad variable is listed at once.
import { plainToInstance } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';
import { Type } from 'class-transformer';
import { DEFAULT_DATABASE_URL, DEFAULT_STATEMENT_TIMEOUT_MS } from '@herald/persistence';
import { developmentSecretProblems } from './production-safety.js';
import { kafkaProductionProblems, kafkaSecurityOf } from './kafka-security.js';

const DEV_ENCRYPTION_KEY = 'herald-local-development-key-not-for-production';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Settings every Herald process shares. */
export class BaseConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: string = 'development';

  /** Comma-separated host:port list. */
  @Matches(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, {
    message: 'KAFKA_BROKERS must be a comma-separated list of host:port',
  })
  KAFKA_BROKERS: string = '127.0.0.1:9092';

  @IsOptional()
  @Matches(/^[a-zA-Z0-9._-]*$/, {
    message: 'HERALD_TOPIC_PREFIX may hold only letters, digits, ".", "_" and "-"',
  })
  HERALD_TOPIC_PREFIX: string = '';

  /** Create the contract topics at boot (local runs); off where Strimzi KafkaTopics own them. */
  @IsIn(['true', 'false'])
  KAFKA_CREATE_TOPICS: string = 'true';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  KAFKA_TOPIC_PARTITIONS: number = 6;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5)
  KAFKA_REPLICATION_FACTOR: number = 1;

  /** "true": TLS to the brokers (with KAFKA_SSL_CA for a private CA such as Strimzi's cluster CA). */
  @IsIn(['true', 'false'])
  KAFKA_SSL: string = 'false';

  /** The CA that signed the brokers' certificates, as PEM or a PEM file's path; empty: the system's CAs. */
  @IsString()
  KAFKA_SSL_CA: string = '';

  /** A client certificate and its key (mutual TLS), as PEM or files, both or neither. */
  @IsString()
  KAFKA_SSL_CERT: string = '';

  @IsString()
  KAFKA_SSL_KEY: string = '';

  /** SASL mechanism: scram-sha-512 (Strimzi's KafkaUser), scram-sha-256 or plain (with TLS only); empty: none. */
  @IsIn(['', 'plain', 'scram-sha-256', 'scram-sha-512'], {
    message: 'KAFKA_SASL_MECHANISM must be scram-sha-512, scram-sha-256, plain or empty',
  })
  KAFKA_SASL_MECHANISM: string = '';

  @IsString()
  KAFKA_SASL_USERNAME: string = '';

  /** The SASL password (on Kubernetes: the `password` key of the KafkaUser's Secret). */
  @IsString()
  KAFKA_SASL_PASSWORD: string = '';

  /** Tries a record gets when its processing fails while every dependency is up; then its DLQ. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  KAFKA_RECORD_ATTEMPTS: number = 5;

  /** Wait before a failed record's second try; each further wait is three times longer (max 60 s). */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(60_000)
  KAFKA_RECORD_RETRY_BASE_MS: number = 2_000;

  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string = DEFAULT_DATABASE_URL;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE: number = 10;

  /**
   * The longest one statement may run, lock waits included (PostgreSQL's statement_timeout);
   * 0 for none. A statement cut off is a database outage: its records pause, spending nothing.
   */
  @Type(() => Number)
  @IsInt()
  @ValidateIf((c: BaseConfig) => c.DATABASE_STATEMENT_TIMEOUT_MS !== 0)
  @Min(100)
  @Max(600_000)
  DATABASE_STATEMENT_TIMEOUT_MS: number = DEFAULT_STATEMENT_TIMEOUT_MS;

  /** Seals provider credentials at rest. Required in production. */
  @ValidateIf(
    (c: BaseConfig) =>
      c.NODE_ENV === 'production' || c.HERALD_ENCRYPTION_KEY !== DEV_ENCRYPTION_KEY,
  )
  @IsString()
  @MinLength(32, { message: 'HERALD_ENCRYPTION_KEY must be at least 32 characters' })
  HERALD_ENCRYPTION_KEY: string = DEV_ENCRYPTION_KEY;

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: string = 'log';

  @IsIn(['json', 'text'])
  LOG_FORMAT: string = 'text';

  @IsString()
  HOST: string = '0.0.0.0';

  /**
   * "true": a production run on one machine (the benchmark) may use loopback and plain-http URLs
   * (the provider sandbox) and a local Kafka without TLS or credentials. Development secrets are
   * refused all the same.
   */
  @IsIn(['true', 'false'])
  HERALD_ALLOW_LOOPBACK_IN_PRODUCTION: string = 'false';

  /** What makes this configuration unfit for production, each naming its variable. An app's config adds its own. */
  productionProblems(): string[] {
    return [
      ...(this.HERALD_ENCRYPTION_KEY === DEV_ENCRYPTION_KEY
        ? ['HERALD_ENCRYPTION_KEY must be set in production (it is the development key)']
        : []),
      // BaseConfig itself is the migration Job's, which never connects to Kafka; every service's
      // config extends it and does.
      ...(this.allowLoopbackInProduction || this.constructor === BaseConfig
        ? []
        : kafkaProductionProblems(this)),
    ];
  }

  /** Problems no single variable's validator sees (Kafka's TLS files and SASL settings together). */
  consistencyProblems(): string[] {
    return kafkaSecurityOf(this).problems;
  }

  get allowLoopbackInProduction(): boolean {
    return this.HERALD_ALLOW_LOOPBACK_IN_PRODUCTION === 'true';
  }

  get brokers(): string[] {
    return this.KAFKA_BROKERS.split(',');
  }
}

export function loadConfig<T extends object>(
  cls: new () => T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const defaults = new cls() as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(cls, { ...defaults, ...raw });
  const errors = validateSync(config, { forbidUnknownValues: false });
  const problems = errors.flatMap((e) =>
    Object.values(e.constraints ?? { [e.property]: `${e.property} is invalid` }),
  );
  // Production refuses every development default at once, beside the invalid values; any config
  // class with a NODE_ENV gets the secret check, so a class outside BaseConfig is covered too.
  if (config instanceof BaseConfig) problems.push(...config.consistencyProblems());
  const values = config as Record<string, unknown>;
  if (values.NODE_ENV === 'production') {
    const unsafe = [
      ...(config instanceof BaseConfig ? config.productionProblems() : []),
      ...developmentSecretProblems(
        values,
        Object.keys(defaults).filter((k) => k !== 'HERALD_ENCRYPTION_KEY'),
      ),
    ];
    problems.push(...unsafe.filter((p) => !problems.includes(p)));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
