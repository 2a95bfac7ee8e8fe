// People parked behind their account's pacing, on real PostgreSQL: parking puts the row back to
// pending without an attempt and queues the event one interval after the queue's last person;
// releasing hands out only what is due, earliest first, marked with its due time, to one replica
// at a time; deployments (topic prefixes) and channels never see each other's; a cancel brings a
// run's parked people due at once; a changed pace gives a queue's parked people new turns.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { DeliveryRequested } from '@herald/contracts';
import {
  DeliveryRepository,
  PacedDeliveryRepository,
  RunAdminRepository,
  dataSourceOptions,
  type ParkedDelivery,
} from '@herald/persistence';
import { prepareDatabase, testDatabaseUrl } from '@herald/testing';

describe('paced deliveries', () => {
  let db: DataSource;
  let deliveries: DeliveryRepository;
  let paced: PacedDeliveryRepository;

  beforeAll(async () => {
    await prepareDatabase();
    db = new DataSource(dataSourceOptions({ url: testDatabaseUrl(), poolSize: 3 }));
    await db.initialize();
    deliveries = new DeliveryRepository(db);
    paced = new PacedDeliveryRepository(db);
  });

  afterAll(async () => {
    await db?.destroy();
  });

  /** A run of `count` people claimed on SMS, and how to park them in one queue. */
  async function claimed(count: number, prefix = randomUUID().slice(0, 8)) {
    const runId = randomUUID();
    await db.query(
      `INSERT INTO runs (id, bot_id, source, status, targeted, resolution_done) VALUES ($1, $2, 'event', 'delivering', $3, true)`,
      [runId, randomUUID(), count],
    );
    const botId = randomUUID();
    const people = Array.from({ length: count }, () => ({
      runId,
      contactId: randomUUID(),
      botId,
      channel: 'sms' as const,
    }));
    await deliveries.claim(people);
    const event = (p: (typeof people)[number]): DeliveryRequested => ({
      ...p,
      to: '+15550100001',
      messages: [{ text: 'Hello' }],
      variables: {},
      attempt: 0,
    });
    const parked = (
      ps: typeof people,
      key = 'sms:AC1:+15550001',
      waitMs = 5_000,
    ): ParkedDelivery[] =>
      ps.map((p) => ({
        runId,
        contactId: p.contactId,
        channel: 'sms',
        topicPrefix: prefix,
        paceKey: key,
        intervalMs: 1_000,
        waitMs,
        code: 'PACED',
        reason: 'parked',
        event: event(p),
      }));
    return { runId, people, parked, prefix };
  }

  const dueTimes = async (runId: string) =>
    (
      await db.query<Array<{ contact_id: string; due: number }>>(
        `SELECT contact_id, extract(epoch FROM due_at - now()) * 1000 AS due FROM paced_deliveries WHERE run_id = $1 ORDER BY due_at`,
        [runId],
      )
    ).map((r) => ({ contactId: r.contact_id, due: Number(r.due) }));

  it('parks people one interval apart after the expected wait, then behind the last one parked, without spending an attempt', async () => {
    const { runId, people, parked } = await claimed(4);
    await deliveries.park(parked(people.slice(0, 2)));
    await deliveries.park(parked(people.slice(2), 'sms:AC1:+15550001', 0));
    const due = await dueTimes(runId);
    expect(due.map((d) => d.contactId)).toEqual(people.map((p) => p.contactId));
    // 5 s ahead, then one a second; the second call joins the queue behind them (its own wait is shorter).
    const expected = [6_000, 7_000, 8_000, 9_000];
    for (const [i, d] of due.entries()) expect(Math.abs(d.due - expected[i])).toBeLessThan(1_000);
    const rows = await db.query<Array<{ status: string; attempts: number; code: string }>>(
      `SELECT status, attempts, code FROM deliveries WHERE run_id = $1`,
      [runId],
    );
    expect(rows).toEqual(Array(4).fill({ status: 'pending', attempts: 0, code: 'PACED' }));
  });

  it('gives batches parking side by side in one queue turns of their own, one interval apart', async () => {
    const { runId, people, parked } = await claimed(40);
    // Four batches (partitions, replicas) park ten people each at the same moment.
    await Promise.all(
      [0, 10, 20, 30].map((from) =>
        deliveries.park(parked(people.slice(from, from + 10), 'sms:AC1:+15550001', 0)),
      ),
    );
    const due = (await dueTimes(runId)).map((d) => d.due);
    expect(due).toHaveLength(40);
    for (let i = 1; i < due.length; i += 1) expect(due[i] - due[i - 1]).toBeGreaterThan(900);
  });

  it('parks only rows still being sent, and a person parked again moves to their new turn', async () => {
    const { runId, people, parked } = await claimed(2);
    await deliveries.markSent([{ ...people[0], providerMessageId: 'SM1' }]);
    await deliveries.park(parked(people));
    expect((await dueTimes(runId)).map((d) => d.contactId)).toEqual([people[1].contactId]);
    // Claimed again (a redelivered event) and parked again: one row, later.
    const before = (await dueTimes(runId))[0].due;
    await deliveries.claim([people[1]]);
    await deliveries.park(parked([people[1]]));
    const after = await dueTimes(runId);
    expect(after).toHaveLength(1);
    expect(after[0].due).toBeGreaterThan(before);
  });

  it('releases only people due, earliest first, marked with their due time, and deletes them once published', async () => {
    const { runId, people, parked, prefix } = await claimed(3);
    await deliveries.park(parked(people, 'sms:AC1:+15550001', 0));
    await db.query(
      `UPDATE paced_deliveries SET due_at = now() - make_interval(secs => 10 - ord)
         FROM unnest($1::uuid[]) WITH ORDINALITY AS u(contact_id, ord)
        WHERE paced_deliveries.contact_id = u.contact_id AND run_id = $2`,
      [people.slice(0, 2).map((p) => p.contactId), runId],
    );
    const published: DeliveryRequested[] = [];
    // Another deployment and another channel see none of them.
    expect(await paced.releaseDue(`${prefix}-other`, 'sms', 10, async () => undefined)).toBe(0);
    expect(await paced.releaseDue(prefix, 'whatsapp', 10, async () => undefined)).toBe(0);
    expect(
      await paced.releaseDue(prefix, 'sms', 10, async (events) => {
        published.push(...events);
      }),
    ).toBe(2);
    expect(published.map((e) => e.contactId)).toEqual(people.slice(0, 2).map((p) => p.contactId));
    expect(published.every((e) => typeof e.pacedUntil === 'string')).toBe(true);
    expect((await dueTimes(runId)).map((d) => d.contactId)).toEqual([people[2].contactId]);
    expect((await paced.nextDueAt(prefix, 'sms'))!.getTime()).toBeGreaterThan(Date.now());
  });

  it('keeps people whose publish failed, and hands a person to one replica at a time', async () => {
    const { runId, people, parked, prefix } = await claimed(2);
    await deliveries.park(parked(people, 'sms:AC1:+15550001', 0));
    await db.query(`UPDATE paced_deliveries SET due_at = now() WHERE run_id = $1`, [runId]);
    await expect(
      paced.releaseDue(prefix, 'sms', 10, async () => {
        throw new Error('the broker is down');
      }),
    ).rejects.toThrow('the broker is down');
    expect(await dueTimes(runId)).toHaveLength(2);

    let inside!: () => void;
    const holding = new Promise<void>((resolve) => (inside = resolve));
    let finish!: () => void;
    const first = paced.releaseDue(prefix, 'sms', 1, async () => {
      inside();
      await new Promise<void>((resolve) => (finish = resolve));
    });
    await holding;
    const second: string[] = [];
    await paced.releaseDue(prefix, 'sms', 10, async (events) => {
      second.push(...events.map((e) => e.contactId));
    });
    finish();
    expect(await first).toBe(1);
    // The second replica skipped the person the first one was publishing.
    expect(second).toHaveLength(1);
    expect(await dueTimes(runId)).toEqual([]);
  });

  it("gives a queue's parked people their turns again when its pace changed, in their order, leaving people due and other queues alone", async () => {
    const { runId, people, parked, prefix } = await claimed(5);
    await deliveries.park(parked(people.slice(0, 4), 'sms:AC1:+15550001', 0));
    await deliveries.park(parked(people.slice(4), 'sms:AC1:+15550002', 0));
    // The first person's turn has come (the releaser is about to hand them out).
    await db.query(`UPDATE paced_deliveries SET due_at = now() WHERE contact_id = $1`, [
      people[0].contactId,
    ]);
    const dueOf = async (key: string) =>
      (
        await db.query<Array<{ contact_id: string; due: number }>>(
          `SELECT contact_id, extract(epoch FROM due_at - now()) * 1000 AS due
             FROM paced_deliveries WHERE run_id = $1 AND pace_key = $2 ORDER BY due_at`,
          [runId, key],
        )
      ).map((r) => ({ contactId: r.contact_id, due: Number(r.due) }));
    const otherQueue = await dueOf('sms:AC1:+15550002');

    // The pace they were parked at: nothing to do.
    expect(await paced.respace(prefix, 'sms:AC1:+15550001', 1_000)).toBe(0);
    // Raised to 10/s: the three not yet due, a tenth of a second apart from now, in their order.
    expect(await paced.respace(prefix, 'sms:AC1:+15550001', 100)).toBe(3);
    let due = await dueOf('sms:AC1:+15550001');
    expect(due.map((d) => d.contactId)).toEqual(people.slice(0, 4).map((p) => p.contactId));
    expect(due[0].due).toBeLessThanOrEqual(0);
    [100, 200, 300].forEach((ms, i) => expect(Math.abs(due[i + 1].due - ms)).toBeLessThan(500));
    expect(await paced.respace(prefix, 'sms:AC1:+15550001', 100)).toBe(0);
    // Lowered to one every 2 s: spread out again.
    expect(await paced.respace(prefix, 'sms:AC1:+15550001', 2_000)).toBe(3);
    due = await dueOf('sms:AC1:+15550001');
    [2_000, 4_000, 6_000].forEach((ms, i) =>
      expect(Math.abs(due[i + 1].due - ms)).toBeLessThan(500),
    );
    // Another deployment's queue of the same name, and another queue, were not touched.
    expect(await paced.respace(`${prefix}-other`, 'sms:AC1:+15550001', 50)).toBe(0);
    const after = await dueOf('sms:AC1:+15550002');
    expect(after.map((d) => d.contactId)).toEqual(otherQueue.map((d) => d.contactId));
    expect(Math.abs(after[0].due - otherQueue[0].due)).toBeLessThan(500);
    // People parked before spacings were kept are given turns at the first look.
    await db.query(`UPDATE paced_deliveries SET interval_ms = NULL WHERE contact_id = $1`, [
      people[4].contactId,
    ]);
    expect(await paced.respace(prefix, 'sms:AC1:+15550002', 1_000)).toBe(1);
  });

  it("brings a cancelled run's parked people due at once, and parks people of a stopped run due now", async () => {
    const { runId, people, parked } = await claimed(3);
    await deliveries.park(parked(people.slice(0, 2), 'sms:AC1:+15550001', 60_000));
    expect((await dueTimes(runId)).every((d) => d.due > 50_000)).toBe(true);
    const { cancelled } = await new RunAdminRepository(db).cancel(runId);
    expect(cancelled).toBe(true);
    expect((await dueTimes(runId)).every((d) => d.due <= 0)).toBe(true);
    // A delivery service that had not yet seen the cancel parks one more: due at once, not in a minute.
    await deliveries.park(parked(people.slice(2), 'sms:AC1:+15550001', 60_000));
    expect(await dueTimes(runId)).toHaveLength(3);
    expect((await dueTimes(runId)).every((d) => d.due <= 0)).toBe(true);
  });
});
