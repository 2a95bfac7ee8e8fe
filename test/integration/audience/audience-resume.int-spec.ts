// A run finishes resolving whatever happens to the audience instance resolving it, and nobody
// is targeted twice in it: a crash between publishing a page and recording it, a crash after
// writing a page ahead but before publishing it, a crashed instance still holding its lease,
// and a restart in the middle of a long run.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { BroadcastRequested } from '@herald/contracts';
import { RunAdminRepository } from '@herald/persistence';
import { eventually } from '@herald/testing';
import { AudienceHarness, targetedIds } from './audience.harness.js';

describe('audience resume after a crash or restart (real Kafka and PostgreSQL)', () => {
  const h = new AudienceHarness();
  let botId: string;
  let ids: string[];
  const pageSize = '100';

  beforeAll(async () => {
    await h.prepare();
    botId = await h.createBot();
    ids = (
      await h.insertContacts(
        botId,
        Array.from({ length: 1000 }, (_, i) => ({ userId: `r${i}` })),
      )
    ).sort();
  }, 60_000);

  afterAll(async () => {
    await h.close();
  });

  /** A run row as a crashed instance would have left it. */
  async function leftBehind(
    request: BroadcastRequested,
    state: Record<string, unknown>,
  ): Promise<void> {
    const columns = Object.keys(state);
    await h.db.query(
      `INSERT INTO runs (id, bot_id, source, status, scheduled_for, request, topic_prefix, ${columns.join(', ')})
       VALUES ($1, $2, 'event', 'resolving', now(), $3, $4, ${columns.map((_, i) => `$${i + 5}`).join(', ')})`,
      [request.runId, botId, JSON.stringify(request), h.prefix, ...Object.values(state)],
    );
  }

  it('a crash between publishing a page and recording it: the page is not emitted again', async () => {
    const request = h.request(botId);
    const fn = `audience_suite_crash_${randomBytes(4).toString('hex')}`;
    // Recording page 4 fails, exactly as if the process died right after Kafka acknowledged it.
    await h.db.query(
      `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated crash'; END $$`,
    );
    await h.db.query(
      `CREATE TRIGGER ${fn} BEFORE UPDATE ON runs FOR EACH ROW
         WHEN (NEW.id = '${request.runId}'::uuid AND OLD.pages_emitted = 4 AND NEW.pages_emitted = 5) EXECUTE FUNCTION ${fn}()`,
    );
    try {
      const first = await h.start({ AUDIENCE_PAGE_SIZE: pageSize });
      await h.publish([request]);
      const stuck = await eventually(async () => {
        const run = await h.run(request.runId);
        return run?.pending_page === 4 && run.resolver === null ? run : undefined;
      }, 'the run to stop with page 4 written ahead and unrecorded');
      expect(stuck.pages_emitted).toBe(4);
      expect((await h.pages()).get(request.runId)!.map((p) => p.page)).toEqual([0, 1, 2, 3, 4]);
      await h.stop(first);
    } finally {
      await h.db.query(`DROP TRIGGER IF EXISTS ${fn} ON runs`);
      await h.db.query(`DROP FUNCTION IF EXISTS ${fn}()`);
    }

    const second = await h.start({ AUDIENCE_PAGE_SIZE: pageSize });
    const run = (await h.settled([request.runId])).get(request.runId)!;
    const pages = (await h.pages()).get(request.runId)!;
    expect(pages.map((p) => p.page)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(targetedIds(pages)).toEqual(ids);
    expect(run).toMatchObject({
      targeted: 1000,
      pages_emitted: 10,
      pending_page: null,
      status: 'delivering',
    });
    await h.stop(second);
  }, 60_000);

  it('a crash after writing a page ahead but before publishing it: the page is emitted, once', async () => {
    const request = h.request(botId);
    await leftBehind(request, {
      pages_emitted: 2,
      targeted: 200,
      resume_cursor: ids[199],
      pending_page: 2,
      pending_cursor: ids[299],
      pending_targeted: 100,
      pending_since: new Date(),
      resolver: 'crashed-instance',
      lease_until: new Date(Date.now() - 1000),
    });
    const app = await h.start({ AUDIENCE_PAGE_SIZE: pageSize });
    const run = (await h.settled([request.runId])).get(request.runId)!;
    const pages = (await h.pages()).get(request.runId)!;
    expect(pages.map((p) => p.page)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(targetedIds(pages)).toEqual(ids.slice(200));
    expect(run).toMatchObject({ targeted: 1000, pages_emitted: 10 });
    await h.stop(app);
  }, 60_000);

  it('an instance that died holding its lease: the run waits for the lease, then resumes', async () => {
    const request = h.request(botId);
    const leaseUntil = new Date(Date.now() + 4000);
    await leftBehind(request, {
      resolver: 'dead-instance',
      lease_until: leaseUntil,
      started_at: new Date(),
    });
    const app = await h.start({ AUDIENCE_PAGE_SIZE: pageSize });
    // A run nobody holds: once it is claimed, the instance has looked for claimable runs and
    // passed over the one whose lease still holds.
    const marker = h.request(botId);
    await h.publish([marker]);
    await eventually(
      async () => ((await h.run(marker.runId))?.pages_emitted ?? 0) > 0,
      'the free run to be claimed',
    );
    const { rows: held } = await h.db.query<{
      resolver: string | null;
      pages_emitted: number;
      leased: boolean;
    }>(`SELECT resolver, pages_emitted, lease_until > now() AS leased FROM runs WHERE id = $1`, [
      request.runId,
    ]);
    expect(held[0]).toEqual({ resolver: 'dead-instance', pages_emitted: 0, leased: true });
    const run = (await h.settled([request.runId])).get(request.runId)!;
    const { rows } = await h.db.query<{ claimed_after: boolean }>(
      `SELECT now() > $1 AS claimed_after`,
      [leaseUntil],
    );
    expect(rows[0].claimed_after).toBe(true);
    expect(targetedIds((await h.pages()).get(request.runId))).toEqual(ids);
    expect(run.targeted).toBe(1000);
    await h.stop(app);
  }, 60_000);

  it('a restart in the middle of a long run: the next instance resumes after the last page, nobody twice', async () => {
    const big = await h.createBot();
    // 20,000 contacts in pages of 20: long enough to stop the instance in the middle.
    await h.db.query(
      `INSERT INTO contacts (id, bot_id, channel, user_id) SELECT gen_random_uuid(), $1, 'sms', 'm' || g FROM generate_series(1, 20000) g`,
      [big],
    );
    const request = h.request(big);
    const first = await h.start({ AUDIENCE_PAGE_SIZE: '20' });
    await h.publish([request]);
    const midway = await eventually(async () => {
      const run = await h.run(request.runId);
      return run && run.pages_emitted >= 5 ? run : undefined;
    }, 'the run to be under way');
    await h.stop(first);
    const stopped = (await h.run(request.runId))!;
    expect(stopped.resolution_done).toBe(false);
    expect(stopped.pages_emitted).toBeGreaterThanOrEqual(midway.pages_emitted);
    // Given back on shutdown: the next instance claims it at once, not after the lease.
    expect(stopped.resolver).toBeNull();

    const second = await h.start({ AUDIENCE_PAGE_SIZE: '20' });
    const run = (await h.settled([request.runId])).get(request.runId)!;
    const pages = (await h.pages()).get(request.runId)!;
    const targeted = targetedIds(pages);
    expect(pages.map((p) => p.page)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(new Set(targeted).size).toBe(20000);
    expect(targeted).toHaveLength(20000);
    expect(run.targeted).toBe(20000);
    await h.stop(second);
  }, 90_000);

  it('a run cancelled in the middle stops before its next page', async () => {
    const big = await h.createBot();
    await h.db.query(
      `INSERT INTO contacts (id, bot_id, channel, user_id) SELECT gen_random_uuid(), $1, 'sms', 'x' || g FROM generate_series(1, 20000) g`,
      [big],
    );
    const request = h.request(big);
    // One run at a time: the marker run below is claimed only once this instance let go of the
    // cancelled one, after which nothing more of it can be emitted.
    const app = await h.start({ AUDIENCE_PAGE_SIZE: '20', AUDIENCE_MAX_CONCURRENT_RUNS: '1' });
    await h.publish([request]);
    await eventually(
      async () => ((await h.run(request.runId))?.pages_emitted ?? 0) >= 3,
      'the run to be under way',
    );
    const { cancelled, run } = await app.get(RunAdminRepository).cancel(request.runId);
    expect(cancelled).toBe(true);
    expect(run).toMatchObject({ status: 'cancelled', reason: 'Cancelled by an operator.' });
    const marker = h.request(botId);
    await h.publish([marker]);
    await eventually(
      async () => ((await h.run(marker.runId))?.pages_emitted ?? 0) > 0,
      'the next run to be claimed',
    );
    const after = (await h.run(request.runId))!;
    expect(after.status).toBe('cancelled');
    expect(after.pages_emitted).toBeLessThan(1000);
    // At most the page in hand when the cancel landed is emitted after it.
    expect((await h.pages()).get(request.runId)!.length).toBeLessThanOrEqual(run!.pagesEmitted + 1);
    expect(await app.get(RunAdminRepository).cancel(request.runId)).toMatchObject({
      cancelled: false,
    });
    await h.stop(app);
  }, 60_000);
});
