import { DataSource, type DataSourceOptions } from 'typeorm';
import { BlockEntity } from './entities/block.entity.js';
import { BotTokenEntity } from './entities/bot-token.entity.js';
import { BotEntity } from './entities/bot.entity.js';
import { BroadcastEntity } from './entities/broadcast.entity.js';
import { ChannelEntity } from './entities/channel.entity.js';
import { ContactEntity } from './entities/contact.entity.js';
import { DeliveryEntity } from './entities/delivery.entity.js';
import { RunEntity } from './entities/run.entity.js';
import { DeadLetterEntity } from './entities/dead-letter.entity.js';
import { InitialSchema1763740000000 } from './migrations/1763740000000-initial-schema.js';
import { AudienceResolution1763800000000 } from './migrations/1763800000000-audience-resolution.js';
import { DeliveryTracking1763900000000 } from './migrations/1763900000000-delivery-tracking.js';
import { RunListings1764000000000 } from './migrations/1764000000000-run-listings.js';
import { BotSettings1765500000000 } from './migrations/1765500000000-bot-settings.js';
import { ContactPhonesE1641765500100000 } from './migrations/1765500100000-contact-phones-e164.js';
import { CustomerServiceWindow1765500200000 } from './migrations/1765500200000-customer-service-window.js';
import { FrequencyLedger1765500300000 } from './migrations/1765500300000-frequency-ledger.js';
import { HeldDeliveries1765500400000 } from './migrations/1765500400000-held-deliveries.js';
import { OperatorConsole1765300000000 } from './migrations/1765300000000-operator-console.js';
import { ChangeNotifications1765100000000 } from './migrations/1765100000000-change-notifications.js';
import { InboundReceipts1765100100000 } from './migrations/1765100100000-inbound-receipts.js';
import { SealedHookKeys1765100200000 } from './migrations/1765100200000-sealed-hook-keys.js';
import { DeadLetters1765700000000 } from './migrations/1765700000000-dead-letters.js';
import { AccountBudgets1765900000000 } from './migrations/1765900000000-account-budgets.js';
import { ChannelFailover1766100000000 } from './migrations/1766100000000-channel-failover.js';
import { ChannelFallback1766100000001 } from './migrations/1766100000001-channel-fallback.js';
import { RunPolicyCounts1766200000000 } from './migrations/1766200000000-run-policy-counts.js';
import { DeliveryLeaseClock1766300000000 } from './migrations/1766300000000-delivery-lease-clock.js';
import { PacedDeliveries1766400000000 } from './migrations/1766400000000-paced-deliveries.js';
import { PacedSpacing1766500000000 } from './migrations/1766500000000-paced-spacing.js';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/herald';

export const ENTITIES = [
  BotEntity,
  BotTokenEntity,
  ChannelEntity,
  BlockEntity,
  BroadcastEntity,
  ContactEntity,
  RunEntity,
  DeliveryEntity,
  DeadLetterEntity,
];

export const MIGRATIONS = [
  InitialSchema1763740000000,
  AudienceResolution1763800000000,
  DeliveryTracking1763900000000,
  RunListings1764000000000,
  ChangeNotifications1765100000000,
  InboundReceipts1765100100000,
  SealedHookKeys1765100200000,
  OperatorConsole1765300000000,
  BotSettings1765500000000,
  ContactPhonesE1641765500100000,
  CustomerServiceWindow1765500200000,
  FrequencyLedger1765500300000,
  HeldDeliveries1765500400000,
  DeadLetters1765700000000,
  AccountBudgets1765900000000,
  ChannelFailover1766100000000,
  ChannelFallback1766100000001,
  RunPolicyCounts1766200000000,
  DeliveryLeaseClock1766300000000,
  PacedDeliveries1766400000000,
  PacedSpacing1766500000000,
];

export interface PersistenceOptions {
  url: string;
  /** Connections per process. */
  poolSize?: number;
  /**
   * The longest one statement may run (PostgreSQL's statement_timeout, lock waits included);
   * 0 for no limit. A statement cut off fails with 57014, which the consumers treat as an
   * outage: the records wait and come again, spending nothing.
   */
  statementTimeoutMs?: number;
}

/** Every Herald statement is bounded by a batch or a page: 30 s means the database is stalled. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
/** TCP keepalive on every connection, so a peer that vanished without a reset is noticed. */
const KEEPALIVE_DELAY_MS = 10_000;

export function dataSourceOptions(options: PersistenceOptions): DataSourceOptions {
  const statementTimeout = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  return {
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'herald_migrations',
    synchronize: false,
    migrationsRun: false,
    extra: {
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      // Sent at connect, so they hold for every statement of every connection of the pool. A
      // transaction left open by a stalled process would hold its row locks: it is ended too.
      ...(statementTimeout > 0
        ? {
            statement_timeout: statementTimeout,
            idle_in_transaction_session_timeout: 2 * statementTimeout,
          }
        : {}),
    },
  };
}

/** Runs pending migrations; safe to call from several processes (TypeORM takes a lock). */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = new DataSource({
    // A migration may rewrite a large table: no statement limit.
    ...dataSourceOptions({ url, poolSize: 1, statementTimeoutMs: 0 }),
    migrationsTransactionMode: 'each',
  });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
