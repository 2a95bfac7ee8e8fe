// Handler-level tests of the gateway's controllers: one controller in a Nest testing module on
// Fastify, with the real guards, pipes, interceptors and filters (global ones as the gateway
// registers them), its service faked, and the stores behind the guards kept in memory.
// Requests are injected: no socket, no database, no Kafka.
import type { Provider, Type } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { InjectOptions } from 'fastify';
import type { LightMyRequestResponse } from 'fastify';
import {
  BotRepository,
  DEFAULT_BROADCAST_SETTINGS,
  IdempotencyRepository,
  type BotEntity,
  type BroadcastEntity,
  type BroadcastSettings,
  type ClaimResult,
  type StoredAnswer,
} from '@herald/persistence';
import { AuthFailureThrottle } from '../auth/auth-failure.throttle.js';
import { BotTokenService } from '../auth/bot-token.service.js';
import { HttpErrorFilter } from '../errors/http-error.filter.js';
import { GatewayConfig } from '../gateway.config.js';
import { JsonBodyParserInstaller } from '../http/json-body.parser.js';
import { TrustedProxies } from '../http/trusted-proxies.js';
import { gatewayValidationPipe } from '../http/validation.pipe.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { BotLookupService, type BlockRef } from '../lookups/bot-lookup.service.js';
import { PgNotifications } from '../lookups/pg-notifications.service.js';
import { GatewayPeers } from '../quotas/gateway-peers.service.js';
import { QuotaService } from '../quotas/quota.service.js';

export const BOT_ID = '0b7f6c2e-8a4d-4c1b-9e3f-5a6b7c8d9e0f';
export const TOKEN = 'hbt_handler_test_token';
export const HOOK_KEY = 'hk_handler_test_key';

/** Idempotency keys in memory, with IdempotencyRepository's claim protocol (no leases). */
export class MemoryIdempotencyKeys {
  readonly answers = new Map<string, StoredAnswer | 'pending'>();

  claim(botId: string, key: string, runId: string): Promise<ClaimResult> {
    const held = this.answers.get(`${botId}/${key}`);
    if (held === 'pending') return Promise.resolve({ kind: 'busy' });
    if (held) return Promise.resolve({ kind: 'done', answer: held });
    this.answers.set(`${botId}/${key}`, 'pending');
    return Promise.resolve({ kind: 'claimed', runId });
  }

  release(botId: string, key: string): Promise<void> {
    this.answers.delete(`${botId}/${key}`);
    return Promise.resolve();
  }

  complete(botId: string, key: string, answer: StoredAnswer): Promise<void> {
    this.answers.set(`${botId}/${key}`, answer);
    return Promise.resolve();
  }
}

export const broadcastSettings = (
  settings: Partial<BroadcastSettings> = {},
): BroadcastSettings => ({
  ...DEFAULT_BROADCAST_SETTINGS,
  ...settings,
});

export interface HarnessOptions {
  controller: Type;
  /** The controller's service(s), faked. */
  providers: Provider[];
  config?: Partial<GatewayConfig>;
  /** BOT_ID's bot, beyond its defaults. */
  bot?: Partial<BotEntity>;
  /** The broadcast HOOK_KEY opens (hook routes). */
  broadcast?: Partial<BroadcastEntity>;
  blocks?: Record<string, BlockRef>;
}

export interface ApiHarness {
  app: NestFastifyApplication;
  keys: MemoryIdempotencyKeys;
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startApiHarness(options: HarnessOptions): Promise<ApiHarness> {
  const config = Object.assign(new GatewayConfig(), options.config);
  const keys = new MemoryIdempotencyKeys();
  const bot = { id: BOT_ID, name: 'Handler bot', rateLimitRps: 25, ...options.bot } as BotEntity;
  const broadcast = {
    id: '5e1d2c3b-4a59-4876-8a9b-0c1d2e3f4a5b',
    botId: BOT_ID,
    settings: broadcastSettings(),
    ...options.broadcast,
  } as BroadcastEntity;
  const lookup: Pick<BotLookupService, 'bot' | 'block' | 'channels' | 'broadcastByHookKey'> = {
    bot: (id) => Promise.resolve(id === BOT_ID ? bot : null),
    block: (_, ref) => Promise.resolve(options.blocks?.[ref] ?? null),
    channels: () => Promise.resolve([]),
    broadcastByHookKey: (key) => Promise.resolve(key === HOOK_KEY ? broadcast : null),
  };
  const moduleRef = await Test.createTestingModule({
    controllers: [options.controller],
    providers: [
      { provide: GatewayConfig, useValue: config },
      { provide: GatewayPeers, useValue: { count: () => 1, share: (total: number) => total } },
      { provide: PgNotifications, useValue: { on: () => undefined, onReset: () => undefined } },
      {
        provide: BotRepository,
        useValue: { botIdForToken: (t: string) => Promise.resolve(t === TOKEN ? BOT_ID : null) },
      },
      { provide: IdempotencyRepository, useValue: keys },
      { provide: BotLookupService, useValue: lookup },
      BotTokenService,
      AuthFailureThrottle,
      QuotaService,
      TrustedProxies,
      IdempotencyService,
      JsonBodyParserInstaller,
      { provide: APP_FILTER, useClass: HttpErrorFilter },
      { provide: APP_PIPE, useValue: gatewayValidationPipe() },
      ...options.providers,
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
    logger: false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    keys,
    request: (inject) => app.inject(inject),
    close: () => app.close(),
  };
}

/** The JSON of a response. */
export const body = <T = Record<string, unknown>>(response: LightMyRequestResponse): T =>
  response.json<T>();
