import { Logger } from '@nestjs/common';
import type { EventPublisher } from '@herald/kafka';
import type { PacedDeliveryRepository } from '@herald/persistence';
import type { DeliveryChannelDefinition } from './delivery-channel.js';
import { DeliveryConfig } from './delivery.config.js';
import { PacedDeliveryReleaser } from './paced-delivery.releaser.js';
import type { PaceScope } from './pacing/pacer.js';

describe('PacedDeliveryReleaser.follow', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'warn', 'error']));

  /** A releaser whose respace calls are recorded; each answers from `answers` (default: 0 moved). */
  function releaser(answers: Array<() => Promise<number>> = []) {
    const calls: Array<[string, string, number]> = [];
    const paced = {
      respace: (prefix: string, key: string, intervalMs: number) => {
        calls.push([prefix, key, intervalMs]);
        return (answers.shift() ?? (async () => 0))();
      },
    } as unknown as PacedDeliveryRepository;
    const config = Object.assign(new DeliveryConfig(), { HERALD_TOPIC_PREFIX: 'dev.' });
    const channel = { channel: 'sms' } as DeliveryChannelDefinition;
    const r = new PacedDeliveryReleaser(paced, {} as EventPublisher, config, channel);
    return { r, calls };
  }

  const account = (perSecond: number): PaceScope => ({
    key: 'sms:AC1:+15550001',
    rate: { perSecond, burst: 1 },
    shared: true,
  });
  const recipient: PaceScope = { key: 'whatsapp:1:15550002', rate: { perSecond: 1 / 6, burst: 1 } };

  it("respaces an account's queue the first time it is seen and each time its pace changes, never a recipient's", async () => {
    const { r, calls } = releaser();
    r.follow([account(1), recipient]);
    r.follow([account(1), recipient]);
    expect(calls).toEqual([['dev.', 'sms:AC1:+15550001', 1_000]]);
    r.follow([account(50)]);
    r.follow([account(50)]);
    r.follow([account(1)]);
    expect(calls.map((c) => c[2])).toEqual([1_000, 20, 1_000]);
    await r.beforeApplicationShutdown();
  });

  it('asks again after a respace failed, and shutdown waits for the respace in flight', async () => {
    let finish!: () => void;
    const { r, calls } = releaser([
      async () => {
        throw new Error('the database is down');
      },
      () =>
        new Promise<number>((resolve) => {
          finish = () => resolve(3);
        }),
    ]);
    r.follow([account(2)]);
    // The failure settles; the queue is asked again at its next park or release.
    await new Promise((resolve) => setImmediate(resolve));
    r.follow([account(2)]);
    expect(calls).toHaveLength(2);
    let stopped = false;
    const stopping = r.beforeApplicationShutdown().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(stopped).toBe(true);
  });
});
