// Shared scaffolding of the audience suites: real audience apps on their own topic prefix, a
// raw Kafka probe to publish requests and read pages back, and direct SQL to seed bots,
// contacts and broadcasts (owned by other services, so not written through their APIs here).
import type { INestApplication } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  Topics,
  dlqTopicOf,
  type Audience,
  type BroadcastRequested,
  type Channel,
  type TargetResolved,
} from '@herald/contracts';
import { SecretBox } from '@herald/persistence';
import { loadConfig } from '@herald/runtime';
import {
  eventually,
  prepareDatabase,
  testBrokers,
  testDatabaseUrl,
  uniquePrefix,
} from '@herald/testing';
import { startAudience } from '../../../apps/audience/src/audience.app.js';
import { AudienceConfig } from '../../../apps/audience/src/audience.config.js';
import { KafkaProbe, type ReadMessage } from '../../utils/kafka.js';

export const ENCRYPTION_KEY = 'audience-suite-encryption-key-0123456789';

export interface SeedContact {
  userId: string;
  channel?: Channel;
  phone?: string | null;
  email?: string | null;
  fbid?: string | null;
  variables?: Record<string, string>;
  firstSeen?: string;
}

export interface RunRow {
  id: string;
  status: string;
  reason: string | null;
  targeted: number;
  pages_emitted: number;
  resolution_done: boolean;
  scheduled_for: Date;
  started_at: Date | null;
  resolver: string | null;
  pending_page: number | null;
}

export class AudienceHarness {
  readonly prefix = uniquePrefix('aud');
  readonly probe = new KafkaProbe(this.prefix);
  readonly db = new pg.Pool({ connectionString: testDatabaseUrl(), max: 3 });
  readonly box = new SecretBox(ENCRYPTION_KEY);
  private readonly apps = new Set<INestApplication>();
  private readonly bots: string[] = [];

  async prepare(): Promise<void> {
    await prepareDatabase();
  }

  /** An audience app of this suite (same prefix, same database); several may run at once. */
  async start(env: Record<string, string> = {}): Promise<INestApplication> {
    const config = loadConfig(AudienceConfig, {
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      KAFKA_BROKERS: testBrokers(),
      HERALD_TOPIC_PREFIX: this.prefix,
      KAFKA_TOPIC_PARTITIONS: '3',
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_POOL_SIZE: '4',
      HERALD_ENCRYPTION_KEY: ENCRYPTION_KEY,
      LOG_LEVEL: 'warn',
      SCHEDULER_INTERVAL_MS: '200',
      AUDIENCE_LEASE_MS: '3000',
      ...env,
    });
    const app = await startAudience(config);
    this.apps.add(app);
    return app;
  }

  async stop(app: INestApplication): Promise<void> {
    this.apps.delete(app);
    await app.close();
  }

  /** Stops the apps, deletes this suite's topics and rows (the test database is shared). */
  async close(): Promise<void> {
    for (const app of [...this.apps]) await this.stop(app);
    await this.probe.cleanup();
    try {
      await this.db.query(`DELETE FROM contacts WHERE bot_id = ANY($1::uuid[])`, [this.bots]);
      await this.db.query(`DELETE FROM runs WHERE topic_prefix = $1`, [this.prefix]);
      await this.db.query(`DELETE FROM bots WHERE id = ANY($1::uuid[])`, [this.bots]);
    } finally {
      await this.db.end();
    }
  }

  async createBot(): Promise<string> {
    const id = randomUUID();
    await this.db.query(`INSERT INTO bots (id, name) VALUES ($1, $2)`, [
      id,
      `audience suite ${this.prefix}`,
    ]);
    this.bots.push(id);
    return id;
  }

  /** Inserts contacts in the given order; returns their ids in the same order. */
  async insertContacts(botId: string, contacts: SeedContact[]): Promise<string[]> {
    const ids = contacts.map(() => randomUUID());
    await this.db.query(
      `INSERT INTO contacts (id, bot_id, channel, user_id, phone, email, fbid, variables, first_seen)
       SELECT u.id, $1, u.channel, u.user_id, u.phone, u.email, u.fbid, u.variables, COALESCE(u.first_seen, now())
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::timestamptz[])
              AS u(id, channel, user_id, phone, email, fbid, variables, first_seen)`,
      [
        botId,
        ids,
        contacts.map((c) => c.channel ?? 'whatsapp'),
        contacts.map((c) => c.userId),
        contacts.map((c) => c.phone ?? null),
        contacts.map((c) => c.email ?? null),
        contacts.map((c) => c.fbid ?? null),
        contacts.map((c) => JSON.stringify(c.variables ?? {})),
        contacts.map((c) => c.firstSeen ?? null),
      ],
    );
    return ids;
  }

  async createBroadcast(
    botId: string,
    options: {
      audience?: Audience;
      recipients?: { endpoint: string; headers?: Record<string, string> };
    } = {},
  ): Promise<string> {
    const id = randomUUID();
    const recipients = options.recipients
      ? {
          source: 'custom_api',
          endpoint: options.recipients.endpoint,
          ...(options.recipients.headers
            ? { headersSealed: this.box.seal(options.recipients.headers) }
            : {}),
        }
      : null;
    // Hook keys are kept as a digest (for lookup) and sealed (for operators), never in clear.
    const hookKey = randomBytes(18).toString('base64url');
    await this.db.query(
      `INSERT INTO broadcasts (id, bot_id, name, content, audience, recipients, settings, hook_key_digest, hook_key_sealed)
       VALUES ($1, $2, 'suite broadcast', $3, $4, $5, '{}', $6, $7)`,
      [
        id,
        botId,
        JSON.stringify({ messages: [{ text: 'Saved content' }] }),
        options.audience ? JSON.stringify(options.audience) : null,
        recipients ? JSON.stringify(recipients) : null,
        createHash('sha256').update(hookKey).digest('hex'),
        this.box.seal(hookKey),
      ],
    );
    return id;
  }

  request(botId: string, extra: Partial<BroadcastRequested> = {}): BroadcastRequested {
    return {
      runId: randomUUID(),
      botId,
      source: 'event',
      requestedAt: new Date().toISOString(),
      content: { messages: [{ text: 'Hello' }] },
      ...extra,
    };
  }

  /** Publishes requests as another service would: straight to broadcast.requested.v1. */
  async publish(requests: BroadcastRequested[]): Promise<void> {
    await this.probe.produceEvents(
      Topics.BroadcastRequested,
      requests.map((r) => ({ data: r, key: r.runId })),
    );
  }

  async run(runId: string): Promise<RunRow | undefined> {
    const { rows } = await this.db.query<RunRow>(`SELECT * FROM runs WHERE id = $1`, [runId]);
    return rows[0];
  }

  /** Waits until every run is resolved (or failed / cancelled); returns them by id. */
  async settled(runIds: string[], timeoutMs = 30_000): Promise<Map<string, RunRow>> {
    return eventually(
      async () => {
        const { rows } = await this.db.query<RunRow>(
          `SELECT * FROM runs WHERE id = ANY($1::uuid[])`,
          [runIds],
        );
        const done = rows.filter(
          (r) => r.resolution_done || r.status === 'failed' || r.status === 'cancelled',
        );
        return done.length === runIds.length ? new Map(done.map((r) => [r.id, r])) : undefined;
      },
      `${runIds.length} run(s) to finish resolving`,
      timeoutMs,
    );
  }

  /** Every TargetResolved event on this suite's topic so far, grouped by run, in topic order. */
  async pages(): Promise<Map<string, TargetResolved[]>> {
    const total = await this.probe.endOffset(Topics.TargetResolved);
    const messages = total > 0 ? await this.probe.read(Topics.TargetResolved, total) : [];
    const byRun = new Map<string, TargetResolved[]>();
    for (const message of messages) {
      const page = JSON.parse(message.value) as TargetResolved;
      byRun.set(page.runId, [...(byRun.get(page.runId) ?? []), page]);
    }
    return byRun;
  }

  async deadLetters(): Promise<ReadMessage[]> {
    const topic = dlqTopicOf(Topics.BroadcastRequested);
    const total = await this.probe.endOffset(topic).catch(() => 0);
    return total > 0 ? this.probe.read(topic, total) : [];
  }
}

/** The contact ids a run targeted, in emitted order (duplicates kept, so a test can see them). */
export function targetedIds(pages: TargetResolved[] | undefined): string[] {
  return (pages ?? []).flatMap((p) => p.targets.map((t) => t.contactId ?? `?${JSON.stringify(t)}`));
}
