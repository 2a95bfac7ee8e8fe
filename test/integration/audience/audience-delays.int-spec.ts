// delayminutes: the whole run waits in PostgreSQL, fires within a second of its time, survives
// a restart of the audience, never starts once cancelled, and is fired once however many
// audience instances look for due runs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RunAdminRepository } from '@herald/persistence';
import { eventually } from '@herald/testing';
import { AudienceHarness, targetedIds } from './audience.harness.js';

const at = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();

describe('delayed runs (real Kafka and PostgreSQL)', () => {
  const h = new AudienceHarness();
  let botId: string;
  let ids: string[];

  beforeAll(async () => {
    await h.prepare();
    botId = await h.createBot();
    ids = (
      await h.insertContacts(
        botId,
        Array.from({ length: 300 }, (_, i) => ({ userId: `d${i}` })),
      )
    ).sort();
  }, 60_000);

  afterAll(async () => {
    await h.close();
  });

  /** How late the run started after its time, in ms (PostgreSQL's clock on both sides). */
  async function lateness(runId: string): Promise<number> {
    const { rows } = await h.db.query<{ late: number }>(
      `SELECT extract(epoch FROM started_at - scheduled_for) * 1000 AS late FROM runs WHERE id = $1`,
      [runId],
    );
    return Number(rows[0].late);
  }

  it('waits until its time, then fires within a second of it', async () => {
    const app = await h.start();
    // 5 s: time for the new instance to join its groups and record the run before it is due,
    // on a machine busy with other suites.
    const request = h.request(botId, { scheduledFor: at(5000) });
    await h.publish([request]);
    const waiting = await eventually(() => h.run(request.runId), 'the run to be recorded');
    expect(waiting).toMatchObject({ status: 'scheduled', started_at: null, pages_emitted: 0 });
    await h.settled([request.runId]);
    const late = await lateness(request.runId);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1000);
    expect(targetedIds((await h.pages()).get(request.runId))).toEqual(ids);
    await h.stop(app);
  }, 30_000);

  it('survives a restart of the audience: the new instance fires it on time', async () => {
    const first = await h.start();
    const request = h.request(botId, { scheduledFor: at(7000) });
    await h.publish([request]);
    await eventually(
      async () => (await h.run(request.runId))?.status === 'scheduled',
      'the run to be scheduled',
    );
    await h.stop(first);
    const second = await h.start();
    await h.settled([request.runId], 20_000);
    expect(await lateness(request.runId)).toBeLessThan(1000);
    expect(targetedIds((await h.pages()).get(request.runId))).toEqual(ids);
    await h.stop(second);
  }, 40_000);

  it('never starts when cancelled before its time', async () => {
    const app = await h.start();
    const due = at(1500);
    const request = h.request(botId, { scheduledFor: due });
    // Due at the same time and not cancelled: once it has run, the scheduler is past that time.
    const marker = h.request(botId, { scheduledFor: due });
    await h.publish([request, marker]);
    await eventually(
      async () =>
        (await h.run(request.runId))?.status === 'scheduled' &&
        (await h.run(marker.runId))?.status === 'scheduled',
      'the runs to be scheduled',
    );
    expect(await app.get(RunAdminRepository).cancel(request.runId)).toMatchObject({
      cancelled: true,
      run: { status: 'cancelled' },
    });
    await h.settled([marker.runId]);
    expect(await h.run(request.runId)).toMatchObject({
      status: 'cancelled',
      started_at: null,
      pages_emitted: 0,
    });
    expect((await h.pages()).get(request.runId)).toBeUndefined();
    await h.stop(app);
  }, 30_000);

  it('several instances never fire or resolve the same run twice', async () => {
    const env = { SCHEDULER_INTERVAL_MS: '50', AUDIENCE_PAGE_SIZE: '50' };
    const apps = [await h.start(env), await h.start(env), await h.start(env)];
    const due = at(5000);
    const requests = Array.from({ length: 24 }, () => h.request(botId, { scheduledFor: due }));
    await h.publish(requests);
    const runs = await h.settled(
      requests.map((r) => r.runId),
      30_000,
    );
    // Every run resolved whole (not failed): the status and reason of any that did not.
    expect(
      [...runs.values()].filter((r) => !r.resolution_done).map((r) => [r.status, r.reason]),
    ).toEqual([]);
    const pages = await h.pages();
    for (const request of requests) {
      expect(pages.get(request.runId)!.map((p) => p.page)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(targetedIds(pages.get(request.runId))).toEqual(ids);
      expect(runs.get(request.runId)!.targeted).toBe(300);
    }
    const { rows } = await h.db.query<{ late: number }>(
      `SELECT max(extract(epoch FROM started_at - scheduled_for) * 1000) AS late FROM runs WHERE id = ANY($1::uuid[])`,
      [requests.map((r) => r.runId)],
    );
    expect(Number(rows[0].late)).toBeLessThan(1000);
    for (const app of apps) await h.stop(app);
  }, 60_000);
});
