// Limits that hold across replicas (issue 14), on real PostgreSQL: three replicas' pacers sending
// for one account as fast as they may send at the account's rate together, not three times it;
// and when one replica's breaker opens for an account, the others' open within a second.
import { DataSource } from 'typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { AccountBudgetRepository, dataSourceOptions } from '@herald/persistence';
import {
  BREAKER_POLL_MS,
  ConsumptionGate,
  ProviderBreakers,
  SharedBreakerSync,
  SharedPacer,
} from '@herald/delivery-core';
import { eventually, prepareDatabase, testDatabaseUrl } from '@herald/testing';

const RATE = { perSecond: 200, burst: 4 };
const SECONDS = 3;

describe('limits shared by every replica', () => {
  let db: DataSource;
  let budgets: AccountBudgetRepository;

  beforeAll(async () => {
    await prepareDatabase();
    db = await new DataSource(
      dataSourceOptions({ url: testDatabaseUrl(), poolSize: 6 }),
    ).initialize();
    budgets = new AccountBudgetRepository(db);
  });

  afterAll(async () => {
    await db?.destroy();
  });

  /** Replicas sending for one account with 20 workers each, as fast as their pacers let them. */
  async function sendsIn(pacers: SharedPacer[], key: string): Promise<number> {
    const end = Date.now() + SECONDS * 1000;
    let sent = 0;
    const worker = async (pacer: SharedPacer) => {
      for (;;) {
        const wait = await pacer.reserve([{ key, rate: RATE, shared: true }]);
        if (wait === null || Date.now() + wait >= end) return;
        // Not a fixed sleep: the pacer's answer, the wait a sender keeps before this send.
        await sleep(wait);
        sent++;
      }
    };
    await Promise.all(pacers.flatMap((pacer) => Array.from({ length: 20 }, () => worker(pacer))));
    return sent;
  }

  it(`three replicas paced at ${RATE.perSecond}/s send ${RATE.perSecond}/s together (within 5 %)`, async () => {
    const prefix = `t-${randomUUID()}:`;
    const replicas = [0, 1, 2].map(() => new SharedPacer(budgets, prefix));
    const sent = await sendsIn(replicas, 'sms:AC1:+15550000001');
    const expected = RATE.perSecond * SECONDS;
    expect(sent).toBeGreaterThan(expected * 0.95);
    expect(sent).toBeLessThan(expected * 1.05 + RATE.burst);
  });

  it('without the shared budget each replica would send the full rate (the test can fail)', async () => {
    const replicas = [0, 1, 2].map(() => new SharedPacer(null));
    const sent = await sendsIn(replicas, 'sms:AC1:+15550000002');
    expect(sent).toBeGreaterThan(RATE.perSecond * SECONDS * 2.5);
  });

  it('books an account at most a second ahead: sends a replica gives back hold the others up for no longer', async () => {
    const prefix = `t-${randomUUID()}:`;
    const scope = [
      { key: 'sms:AC2:+15550000003', rate: { perSecond: 10, burst: 1 }, shared: true },
    ];
    // Replica A: 60 sends waiting at 10/s (6 s of the account). It then hands them back, which
    // ends its waits for the schedule to free up.
    const handBack: Array<() => void> = [];
    const untilHandBack = () =>
      new Promise<boolean>((resolve) => handBack.push(() => resolve(false)));
    const a = new SharedPacer(budgets, prefix);
    const reserved = Promise.all(Array.from({ length: 60 }, () => a.reserve(scope, untilHandBack)));
    await eventually(
      async () => handBack.length >= 45,
      "A's sends past the horizon to wait",
      5_000,
    );
    const handedBack = Date.now();
    for (const end of handBack) end();
    const booked = (await reserved).filter((wait) => wait !== null);
    expect(booked.length).toBeLessThanOrEqual(13);

    // Replica B's first send waits only for what A booked: about a second, not six.
    const b = new SharedPacer(budgets, prefix);
    const wait = await b.reserve(scope);
    expect(wait).not.toBeNull();
    expect(Date.now() + wait! - handedBack).toBeLessThan(1_600);
  });

  it("opens every replica's breaker within a second of one finding the account down", async () => {
    const prefix = `t-${randomUUID()}:breaker:sms:`;
    const gate = () =>
      new ConsumptionGate({ pause: () => undefined, resume: () => undefined }, ['t']);
    const settings = {
      errorThresholdPercentage: 50,
      volumeThreshold: 2,
      rollingCountTimeout: 10_000,
      resetTimeout: 5_000,
    };
    const replicas = [0, 1, 2].map(() => {
      const sync = new SharedBreakerSync(budgets, prefix, settings.resetTimeout);
      const breakers = new ProviderBreakers(settings, gate(), undefined, (account) =>
        sync.tripped(account),
      );
      sync.attach(breakers);
      sync.onModuleInit();
      return { sync, breakers };
    });
    try {
      const down = async () => ({
        ok: false as const,
        failure: 'account' as const,
        code: '20500',
        reason: 'provider down',
      });
      const first = replicas[0];
      for (let i = 0; i < 3; i++) await first.breakers.call('sms:AC9', down);
      expect(first.breakers.isOpen('sms:AC9')).toBe(true);
      const opened = Date.now();
      await eventually(
        async () => replicas.every((r) => r.breakers.isOpen('sms:AC9')),
        'every replica to open',
        3_000,
      );
      expect(Date.now() - opened).toBeLessThan(1_000 + BREAKER_POLL_MS);
      // Another account is untouched.
      expect(replicas[1].breakers.isOpen('sms:AC8')).toBe(false);
    } finally {
      for (const r of replicas) {
        r.sync.onApplicationShutdown();
        r.breakers.shutdown();
      }
    }
  });
});
