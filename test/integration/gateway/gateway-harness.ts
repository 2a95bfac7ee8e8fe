// The gateway alone, in this process, on real Kafka and PostgreSQL (own topic prefix), with a
// Kafka probe that reads back what it published: for tests of what each API puts on
// broadcast.requested.v1, and of what it answers, without the rest of the pipeline.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { Topics, type BroadcastRequested } from '@herald/contracts';
import { loadConfig } from '@herald/runtime';
import {
  ADMIN_KEY,
  GENEROUS_QUOTAS,
  json,
  prepareDatabase,
  testBrokers,
  testDatabaseUrl,
  uniquePrefix,
} from '@herald/testing';
import { startGateway } from '../../../apps/gateway/src/gateway.app.js';
import { GatewayConfig } from '../../../apps/gateway/src/gateway.config.js';
import { KafkaProbe } from '../../utils/kafka.js';

export interface GatewayHarness {
  app: NestFastifyApplication;
  url: string;
  probe: KafkaProbe;
  admin<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  /** The BroadcastRequested events published so far (at least `count`), by run id. */
  events(count: number): Promise<Map<string, BroadcastRequested>>;
  stop(): Promise<void>;
}

export async function startGatewayHarness(env: NodeJS.ProcessEnv = {}): Promise<GatewayHarness> {
  await prepareDatabase();
  const prefix = uniquePrefix('gw');
  const app = await startGateway(
    loadConfig(GatewayConfig, {
      NODE_ENV: 'test',
      KAFKA_BROKERS: testBrokers(),
      HERALD_TOPIC_PREFIX: prefix,
      KAFKA_TOPIC_PARTITIONS: '1',
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_POOL_SIZE: '4',
      HERALD_ADMIN_KEY: ADMIN_KEY,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'error',
      ...GENEROUS_QUOTAS,
      ...env,
    }),
  );
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const probe = new KafkaProbe(prefix);
  return {
    app,
    url,
    probe,
    admin: async <T>(method: string, path: string, body?: unknown) =>
      json<T>(
        await fetch(`${url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${ADMIN_KEY}`,
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: body !== undefined ? JSON.stringify(body) : undefined,
        }),
      ),
    events: async (count) => {
      const messages = await probe.read(Topics.BroadcastRequested, count);
      return new Map(
        messages.map((m) => {
          const event = JSON.parse(m.value) as BroadcastRequested;
          return [event.runId, event];
        }),
      );
    },
    stop: async () => {
      await app.close();
      await probe.cleanup();
    },
  };
}

export interface BotFixture {
  botId: string;
  token: string;
}

/** A bot with a token, a channel per type given, and blocks by name. */
export async function createBot(
  harness: { admin: GatewayHarness['admin'] },
  options: {
    name?: string;
    channels?: Array<'whatsapp' | 'sms' | 'messenger'>;
    blocks?: Record<string, unknown[]>;
    rateLimitRps?: number;
  } = {},
): Promise<BotFixture & { channelIds: Record<string, string>; blockIds: Record<string, string> }> {
  const bot = await harness.admin<{ id: string }>('POST', '/admin/bots', {
    name: options.name ?? 'Test bot',
    rateLimitRps: options.rateLimitRps,
  });
  if (bot.status !== 201) throw new Error(`bot: ${bot.status} ${JSON.stringify(bot.body)}`);
  const token = await harness.admin<{ token: string }>(
    'POST',
    `/admin/bots/${bot.body.id}/tokens`,
    { name: 'test' },
  );
  const configs = {
    // The sandbox lets anyone be messaged; tests of the 24-hour window turn it on themselves.
    whatsapp: {
      phoneNumberId: '1065550001',
      accessToken: 'EAAG-test',
      enforceCustomerServiceWindow: false,
    },
    sms: {
      accountSid: 'AC00000000000000000000000000000001',
      authToken: 'twilio-test',
      from: '+15550001111',
    },
    messenger: {
      pageId: '1065550002',
      pageAccessToken: 'EAAG-page-test',
      enforceCustomerServiceWindow: false,
    },
  };
  const channelIds: Record<string, string> = {};
  for (const type of options.channels ?? []) {
    const channel = await harness.admin<{ id: string }>(
      'POST',
      `/admin/bots/${bot.body.id}/channels`,
      { type, config: configs[type] },
    );
    if (channel.status !== 201)
      throw new Error(`channel: ${channel.status} ${JSON.stringify(channel.body)}`);
    channelIds[type] = channel.body.id;
  }
  const blockIds: Record<string, string> = {};
  for (const [name, messages] of Object.entries(options.blocks ?? {})) {
    const block = await harness.admin<{ id: string }>('POST', `/admin/bots/${bot.body.id}/blocks`, {
      name,
      messages,
    });
    if (block.status !== 201)
      throw new Error(`block: ${block.status} ${JSON.stringify(block.body)}`);
    blockIds[name] = block.body.id;
  }
  return { botId: bot.body.id, token: token.body.token, channelIds, blockIds };
}

interface SandboxMessages {
  messages: Array<{ to: string; text: string | null; count: number }>;
}

/** The texts the sandbox received for one recipient on one channel (as the sandbox normalizes it). */
export async function sandboxTexts(
  sandboxUrl: string,
  channel: 'whatsapp' | 'sms' | 'messenger',
  to: string,
): Promise<string[]> {
  const { body } = await json<SandboxMessages>(
    await fetch(
      `${sandboxUrl}/sandbox/messages?channel=${channel}&to=${encodeURIComponent(to)}&limit=1000`,
    ),
  );
  return body.messages.map((m) => m.text ?? '');
}

/** Waits until a run reaches a final status; returns it. */
export async function finishedRun(
  admin: GatewayHarness['admin'],
  runId: string,
  timeoutMs = 30_000,
): Promise<{
  status: string;
  reason?: string;
  counts: Record<string, number>;
  scheduledFor: string;
}> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await admin<{
      status: string;
      reason?: string;
      counts: Record<string, number>;
      scheduledFor: string;
    }>('GET', `/admin/runs/${runId}`);
    if (run.status === 200 && ['completed', 'failed', 'cancelled'].includes(run.body.status))
      return run.body;
    if (Date.now() > deadline)
      throw new Error(
        `run ${runId} did not finish within ${timeoutMs} ms (last: ${JSON.stringify(run.body)})`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
