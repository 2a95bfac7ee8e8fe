// One PostgreSQL connection per gateway that LISTENs: the database tells every instance at commit
// that cached configuration changed (triggers on herald_changes), and instances tell each other
// they are alive (quotas share a bot's rate among the live ones). Off the request path.
import {
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export type NotificationHandler = (payload: string) => void;

/** Channels this service listens on. */
export const CHANGES_CHANNEL = 'herald_changes';
export const PEERS_CHANNEL = 'herald_gateway_peers';
const SYNC_CHANNEL = 'herald_sync';
const CHANNELS = [CHANGES_CHANNEL, PEERS_CHANNEL, SYNC_CHANNEL];

const RECONNECT_DELAY_MS = 1_000;
/** How the listening connection shows in pg_stat_activity. */
export const LISTEN_APPLICATION_NAME = 'herald-gateway-listen';
const SYNC_TIMEOUT_MS = 2_000;
/**
 * The longest a statement on the listening connection may take. Peers announce themselves every
 * 2 s through it, so a connection that went silent (its peer vanished without a reset: no error,
 * no end) is found within a few seconds, dropped and made again, instead of reading as listening
 * while this instance hears no one and no one hears it.
 */
const QUERY_TIMEOUT_MS = 3_000;
/** TCP keepalive, so that even an idle silent connection ends. */
const KEEPALIVE_DELAY_MS = 10_000;

export class PgNotifications implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PgNotifications.name);
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  private readonly resetHandlers = new Set<() => void>();
  private readonly pendingSyncs = new Map<string, () => void>();
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly databaseUrl: string) {}

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Whether the connection is up and listening (else caches live on their TTL alone). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Calls `handler` with each payload NOTIFYed on `channel`. */
  on(channel: string, handler: NotificationHandler): void {
    const set = this.handlers.get(channel) ?? new Set();
    set.add(handler);
    this.handlers.set(channel, set);
  }

  /**
   * Calls `handler` when notifications may have been missed (the listening connection was lost
   * and is back): whoever caches on the strength of notifications must drop everything.
   */
  onReset(handler: () => void): void {
    this.resetHandlers.add(handler);
  }

  async notify(channel: string, payload: string): Promise<void> {
    const client = this.client;
    if (!client) return; // not listening either: peers see this instance as gone, which is true enough
    try {
      await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
    } catch (error) {
      // No answer in time: the connection is as good as lost (what it was sent may never arrive).
      if ((error as Error).message === 'Query read timeout') {
        this.lost(client, new Error(`no answer in ${QUERY_TIMEOUT_MS} ms`));
        void client.end().catch(() => undefined);
      }
      throw error;
    }
  }

  /**
   * Resolves once this instance has received every notification committed before the call:
   * PostgreSQL delivers notifications in commit order, so when a marker sent now comes back,
   * what preceded it (e.g. a revocation just committed) has been handled here, and is on its
   * way to every other listener.
   */
  async sync(): Promise<void> {
    if (!this.client) return;
    const id = randomUUID();
    const arrived = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.pendingSyncs.delete(id);
        resolve();
      }, SYNC_TIMEOUT_MS);
      timer.unref();
      this.pendingSyncs.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await this.notify(SYNC_CHANNEL, id).catch(() => this.pendingSyncs.get(id)?.());
    await arrived;
  }

  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      const client = new pg.Client({
        connectionString: this.databaseUrl,
        connectionTimeoutMillis: 5_000,
        application_name: LISTEN_APPLICATION_NAME,
        query_timeout: QUERY_TIMEOUT_MS,
        keepAlive: true,
        keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      });
      client.on('notification', (message) => this.dispatch(message.channel, message.payload ?? ''));
      client.on('error', (error) => this.lost(client, error));
      client.on('end', () => this.lost(client));
      try {
        await client.connect();
        for (const channel of CHANNELS) await client.query(`LISTEN ${channel}`);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      if (this.stopped) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private dispatch(channel: string, payload: string): void {
    if (channel === SYNC_CHANNEL) {
      this.pendingSyncs.get(payload)?.();
      this.pendingSyncs.delete(payload);
      return;
    }
    for (const handler of this.handlers.get(channel) ?? []) {
      try {
        handler(payload);
      } catch (error) {
        this.logger.error(`A ${channel} handler failed: ${(error as Error).message}`);
      }
    }
  }

  private lost(client: pg.Client, error?: Error): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    this.logger.warn(
      `Lost the LISTEN connection${error ? ` (${error.message})` : ''}; caches fall back to their TTL until it is back.`,
    );
    for (const resolve of this.pendingSyncs.values()) resolve();
    this.pendingSyncs.clear();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.reconnectTimer = setTimeout(() => {
      this.connect().then(
        () => {
          this.logger.log('LISTEN connection back; dropping caches in case a change was missed.');
          for (const reset of this.resetHandlers) reset();
        },
        () => this.scheduleReconnect(),
      );
    }, RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }
}

/** Provides the instance's one PgNotifications to every module of the gateway (webhooks included). */
@Module({})
export class NotificationsModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return {
      module: NotificationsModule,
      global: true,
      providers: [{ provide: PgNotifications, useFactory: () => new PgNotifications(databaseUrl) }],
      exports: [PgNotifications],
    };
  }
}
