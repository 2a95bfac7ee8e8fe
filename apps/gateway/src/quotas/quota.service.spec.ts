import { ErrorCode } from '@herald/errors';
import { loadConfig } from '@herald/runtime';
import type { PgNotifications } from '../lookups/pg-notifications.service.js';
import { RetryLaterError } from '../errors/retry-later.error.js';
import { GatewayConfig } from '../gateway.config.js';
import { GatewayPeers } from './gateway-peers.service.js';
import { QuotaService } from './quota.service.js';

/** A PgNotifications that records handlers and lets the test speak on a channel. */
function fakeNotifications() {
  const handlers = new Map<string, (payload: string) => void>();
  const fake = {
    on: (channel: string, handler: (payload: string) => void) => handlers.set(channel, handler),
    onReset: () => undefined,
    notify: async () => undefined,
  } as unknown as PgNotifications;
  return { fake, say: (channel: string, payload: string) => handlers.get(channel)?.(payload) };
}

describe('GatewayPeers.share', () => {
  it('splits a total among the live instances so that the parts add up to it exactly', () => {
    const ids = ['00000000-a', '11111111-b', 'ffffffff-c'];
    const peers = ids.map(() => fakeNotifications());
    const instances = peers.map((p) => new GatewayPeers(p.fake));
    // Every instance hears every other one.
    for (const [i, p] of peers.entries())
      for (const other of instances)
        if (other !== instances[i]) p.say('herald_gateway_peers', `alive:${other.id}`);
    for (const total of [1, 2, 25, 26, 100]) {
      const parts = instances.map((i) => i.share(total));
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
    }
    expect(instances[0].count()).toBe(3);
  });

  it('alone, an instance has the whole total; a peer that says bye no longer counts', () => {
    const { fake, say } = fakeNotifications();
    const peers = new GatewayPeers(fake);
    expect(peers.share(25)).toBe(25);
    say('herald_gateway_peers', 'hello:zzzz');
    expect(peers.count()).toBe(2);
    say('herald_gateway_peers', 'bye:zzzz');
    expect(peers.share(25)).toBe(25);
  });
});

describe('QuotaService', () => {
  it('refuses past the rate with a 429 carrying Retry-After, per bot and per API', async () => {
    const quotas = new QuotaService(
      loadConfig(GatewayConfig, { NODE_ENV: 'test' }),
      new GatewayPeers(fakeNotifications().fake),
    );
    await quotas.take('csml', 'bot-1', 2);
    await quotas.take('csml', 'bot-1', 2);
    const refused = await quotas.take('csml', 'bot-1', 2).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RetryLaterError);
    expect(refused).toMatchObject({ code: ErrorCode.RateLimited, retryAfterSeconds: 1 });
    // Another bot and another API count apart.
    await expect(quotas.take('csml', 'bot-2', 2)).resolves.toBeUndefined();
    await expect(quotas.take('hook', 'bot-1', 2)).resolves.toBeUndefined();
  });

  it('with more instances than the rate, each allows one call per (instances / rate) seconds', async () => {
    const { fake, say } = fakeNotifications();
    const peers = new GatewayPeers(fake);
    // Ids that sort before any UUID: this instance ranks last and gets no whole share.
    say('herald_gateway_peers', 'alive:!peer-1');
    say('herald_gateway_peers', 'alive:!peer-2');
    const quotas = new QuotaService(loadConfig(GatewayConfig, { NODE_ENV: 'test' }), peers);
    // Rate 1 among 3 instances: this one may not have the whole rate, but it is never starved.
    await quotas.take('hook', 'bot-1', 1);
    const refused = await quotas.take('hook', 'bot-1', 1).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: ErrorCode.RateLimited });
    expect((refused as RetryLaterError).retryAfterSeconds).toBeGreaterThanOrEqual(2);
  });
});
