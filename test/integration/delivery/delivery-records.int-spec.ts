// The delivery records on real PostgreSQL: claims and their lease, release, statuses that only
// move forward, Messenger watermarks, the run ledger that counts each outcome once, and people
// writing in (last inbound time, SMS opt-out and opt-in).
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  BotRepository,
  ChannelRepository,
  ContactRepository,
  DeliveryRepository,
  RunLedgerRepository,
  SecretBox,
  dataSourceOptions,
} from '@herald/persistence';
import { prepareDatabase, testDatabaseUrl } from '@herald/testing';

describe('delivery records', () => {
  let db: DataSource;
  let deliveries: DeliveryRepository;
  let contacts: ContactRepository;
  let runs: RunLedgerRepository;
  let channels: ChannelRepository;
  let bots: BotRepository;

  beforeAll(async () => {
    await prepareDatabase();
    db = new DataSource(dataSourceOptions({ url: testDatabaseUrl(), poolSize: 2 }));
    await db.initialize();
    deliveries = new DeliveryRepository(db);
    contacts = new ContactRepository(db);
    runs = new RunLedgerRepository(db);
    channels = new ChannelRepository(db, new SecretBox('a-test-encryption-key-of-32-chars!!'));
    bots = new BotRepository(db);
  });

  afterAll(async () => {
    await db?.destroy();
  });

  async function newRun(targeted: number): Promise<string> {
    const id = randomUUID();
    await db.query(
      `INSERT INTO runs (id, bot_id, source, status, targeted, resolution_done) VALUES ($1, $2, 'event', 'delivering', $3, true)`,
      [id, randomUUID(), targeted],
    );
    return id;
  }

  const counts = async (runId: string) =>
    (
      await db.query<Array<Record<string, unknown>>>(
        `SELECT status, sent, delivered, read, failed, skipped FROM runs WHERE id = $1`,
        [runId],
      )
    )[0];

  it('claims a row once, gives back released rows without an attempt, and re-claims pending rows', async () => {
    const runId = randomUUID();
    const claim = { runId, contactId: randomUUID(), botId: randomUUID(), channel: 'sms' as const };
    expect((await deliveries.claim([claim])).size).toBe(1);
    expect((await deliveries.claim([claim])).size).toBe(0);
    await deliveries.release([claim]);
    const [released] = await deliveries.statesOf([claim]);
    expect(released).toMatchObject({ status: 'pending' });
    expect(
      (await db.query(`SELECT attempts FROM deliveries WHERE run_id = $1`, [runId]))[0].attempts,
    ).toBe(0);
    expect((await deliveries.claim([claim])).size).toBe(1);
    await deliveries.markPending([{ ...claim, reason: '5xx', code: '20500' }]);
    expect((await deliveries.claim([claim])).size).toBe(1);
    await deliveries.markSent([{ ...claim, providerMessageId: `SM${randomUUID()}`, segments: 2 }]);
    expect((await deliveries.claim([claim])).size).toBe(0);
    const [sent] = await deliveries.statesOf([claim]);
    expect(sent).toMatchObject({ status: 'sent', segments: 2 });
    expect(
      (await db.query(`SELECT attempts, sent_at FROM deliveries WHERE run_id = $1`, [runId]))[0],
    ).toMatchObject({
      attempts: 2,
      sent_at: expect.any(Date),
    });
  });

  /** The lease clock as the delivery services leave it: ticked `tickedAgo` s ago, live for `liveFor` s. */
  async function setClock(liveFor: number, tickedAgo = 0): Promise<void> {
    await db.query(
      `INSERT INTO delivery_lease_clock (id, ticked_at, live_since)
       VALUES (true, now() - make_interval(secs => $2), now() - make_interval(secs => $1))
       ON CONFLICT (id) DO UPDATE SET ticked_at = EXCLUDED.ticked_at, live_since = EXCLUDED.live_since`,
      [liveFor, tickedAgo],
    );
  }

  /** As if the row's sender had not renewed its lease for two minutes. */
  async function expire(claim: { runId: string }): Promise<void> {
    await db.query(
      `UPDATE deliveries SET updated_at = now() - interval '2 minutes' WHERE run_id = $1`,
      [claim.runId],
    );
  }

  /** A row claimed by a sender that has not renewed its lease for two minutes. */
  async function expiredClaim() {
    const claim = {
      runId: randomUUID(),
      contactId: randomUUID(),
      botId: randomUUID(),
      channel: 'sms' as const,
    };
    await deliveries.claim([claim]);
    await expire(claim);
    return claim;
  }

  it('takes over a row whose sender stopped renewing its lease, not one still renewed', async () => {
    await setClock(600);
    const claim = await expiredClaim();
    await deliveries.renewLease([claim]);
    expect((await deliveries.claim([claim])).size).toBe(0);
    await expire(claim);
    expect((await deliveries.claim([claim])).size).toBe(1);
  });

  it('after the database was out of reach, takes over an expired lease only once the clock has ticked for a whole lease', async () => {
    // Nobody could tick for 30 s (an outage): an expired lease is not taken over meanwhile.
    await setClock(600, 30);
    const claim = await expiredClaim();
    expect((await deliveries.claim([claim])).size).toBe(0);

    // The first tick after the gap starts a whole lease for live senders to record.
    await deliveries.tickLeaseClock();
    expect((await deliveries.claim([claim])).size).toBe(0);
    const [clock] = await db.query(
      `SELECT now() - live_since < interval '5 seconds' AS restarted FROM delivery_lease_clock`,
    );
    expect(clock.restarted).toBe(true);

    // A lease of ticking later, the dead sender's row is taken over.
    await setClock(61);
    expect((await deliveries.claim([claim])).size).toBe(1);
  });

  it('keeps the clock live across regular ticks, and counts an emptied clock (a crash) as an outage', async () => {
    await setClock(600, 3);
    await deliveries.tickLeaseClock();
    const [kept] = await db.query(
      `SELECT now() - live_since > interval '9 minutes' AS kept FROM delivery_lease_clock`,
    );
    expect(kept.kept).toBe(true);

    await db.query(`DELETE FROM delivery_lease_clock`);
    const claim = await expiredClaim();
    expect((await deliveries.claim([claim])).size).toBe(0);
    await deliveries.tickLeaseClock();
    expect((await deliveries.claim([claim])).size).toBe(0);
    await setClock(61);
    expect((await deliveries.claim([claim])).size).toBe(1);
  });

  it('moves statuses only forward and reports every row a status names', async () => {
    const runId = randomUUID();
    const rows = [0, 1, 2].map(() => ({
      runId,
      contactId: randomUUID(),
      botId: randomUUID(),
      channel: 'whatsapp' as const,
      pmid: `wamid.${randomUUID()}`,
    }));
    await deliveries.claim(rows);
    await deliveries.markSent(rows.map((r) => ({ ...r, providerMessageId: r.pmid })));

    const read = await deliveries.applyStatuses('whatsapp', [
      { status: 'read', providerMessageId: rows[0].pmid },
    ]);
    expect(read).toEqual([
      expect.objectContaining({ contactId: rows[0].contactId, status: 'read' }),
    ]);
    // A late "delivered" does not move a read message back, and still names the row.
    const late = await deliveries.applyStatuses('whatsapp', [
      { status: 'delivered', providerMessageId: rows[0].pmid },
    ]);
    expect(late).toEqual([expect.objectContaining({ status: 'read' })]);

    const failed = await deliveries.applyStatuses('whatsapp', [
      {
        status: 'failed',
        providerMessageId: rows[1].pmid,
        code: '131047',
        reason: 'Re-engagement message',
      },
    ]);
    expect(failed).toEqual([
      expect.objectContaining({
        status: 'failed',
        code: '131047',
        reason: 'Re-engagement message',
      }),
    ]);
    expect(
      await deliveries.applyStatuses('whatsapp', [
        { status: 'read', providerMessageId: rows[1].pmid },
      ]),
    ).toEqual([expect.objectContaining({ status: 'failed' })]);
    // Another channel's id, or an id nobody sent, names nothing.
    expect(
      await deliveries.applyStatuses('sms', [
        { status: 'delivered', providerMessageId: rows[2].pmid },
      ]),
    ).toEqual([]);
    expect(
      await deliveries.applyStatuses('whatsapp', [
        { status: 'delivered', providerMessageId: 'wamid.unknown' },
      ]),
    ).toEqual([]);
  });

  it('applies Messenger watermarks to what the person was sent up to then, through Page → bot → contact', async () => {
    const bot = await bots.create('watermark bot');
    const pageId = String(Date.now());
    await channels.create(
      bot.id,
      'messenger',
      { pageId, baseUrl: 'http://127.0.0.1:1' },
      { pageAccessToken: 't' },
    );
    const [contact] = await contacts.upsertMany(bot.id, [
      { channel: 'messenger', userId: `psid-${randomUUID()}`, variables: {} },
    ]);
    const before = {
      runId: randomUUID(),
      contactId: contact.id,
      botId: bot.id,
      channel: 'messenger' as const,
    };
    const after = { ...before, runId: randomUUID() };
    await deliveries.claim([before]);
    await deliveries.markSent([{ ...before, providerMessageId: 'm_1' }]);
    await db.query(
      `UPDATE deliveries SET sent_at = now() - interval '1 minute' WHERE run_id = $1`,
      [before.runId],
    );
    const watermark = new Date(Date.now() - 30_000);
    await deliveries.claim([after]);
    await deliveries.markSent([{ ...after, providerMessageId: 'm_2' }]);

    const moved = await deliveries.applyStatuses('messenger', [
      { status: 'read', watermark: { pageId, psid: contact.userId, at: watermark } },
    ]);
    expect(moved).toEqual([
      expect.objectContaining({
        runId: before.runId,
        status: 'read',
        watermark: { pageId, psid: contact.userId },
      }),
    ]);
    expect((await deliveries.statesOf([after]))[0].status).toBe('sent');
  });

  it('counts each outcome once, and a person sent then failed as failed only', async () => {
    const runId = await newRun(3);
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await runs.recordOutcomes([
      { runId, subject: a, status: 'sent' },
      { runId, subject: b, status: 'sent' },
      { runId, subject: b, status: 'sent' },
    ]);
    expect(await counts(runId)).toMatchObject({ sent: 2, failed: 0, status: 'delivering' });
    // Redelivered results change nothing; statuses add their own counts.
    await runs.recordOutcomes([
      { runId, subject: a, status: 'sent' },
      { runId, subject: a, status: 'delivered' },
      { runId, subject: a, status: 'read' },
      { runId, subject: a, status: 'delivered' },
    ]);
    expect(await counts(runId)).toMatchObject({ sent: 2, delivered: 1, read: 1 });
    // b fails later (a provider webhook): failed, no longer sent.
    await runs.recordOutcomes([{ runId, subject: b, status: 'failed' }]);
    expect(await counts(runId)).toMatchObject({ sent: 1, failed: 1, status: 'delivering' });
    // c's failure arrives before its sent result: counted failed, not sent.
    await runs.recordOutcomes([{ runId, subject: c, status: 'failed' }]);
    await runs.recordOutcomes([{ runId, subject: c, status: 'sent' }]);
    expect(await counts(runId)).toMatchObject({ sent: 1, failed: 2, status: 'completed' });
  });

  it('counts a person sent or failed in the statement that moves their row, once, and completes the settled run', async () => {
    const runId = await newRun(4);
    const people = [0, 1, 2, 3].map(() => ({
      runId,
      contactId: randomUUID(),
      botId: randomUUID(),
      channel: 'sms' as const,
    }));
    const [a, b, c, d] = people;
    await deliveries.claim(people);
    await deliveries.markSent([
      { ...a, providerMessageId: 'SMa' },
      { ...b, providerMessageId: 'SMb' },
    ]);
    expect(await counts(runId)).toMatchObject({ sent: 2, failed: 0, status: 'delivering' });
    // Recorded again (a retried write, another consumer's late record): the rows no longer move.
    await deliveries.markSent([{ ...a, providerMessageId: 'SMa' }]);
    await deliveries.markFailed([{ ...b, reason: 'late', code: 'X' }]);
    expect(await counts(runId)).toMatchObject({ sent: 2, failed: 0 });
    // c failed for good; d waits for a retry (not counted), then gives up.
    await deliveries.markFailed([{ ...c, reason: 'refused', code: '21211' }]);
    await deliveries.markPending([{ ...d, reason: '5xx', code: '20500' }]);
    expect(await counts(runId)).toMatchObject({ sent: 2, failed: 1, status: 'delivering' });
    await deliveries.markFailed([{ ...d, reason: 'gave up', code: '20500' }]);
    expect(await counts(runId)).toMatchObject({ sent: 2, failed: 2, status: 'completed' });
    expect(
      (await db.query(`SELECT finished_at FROM runs WHERE id = $1`, [runId]))[0].finished_at,
    ).toEqual(expect.any(Date));
    // Nothing of it went through the ledger.
    expect(
      (await db.query(`SELECT count(*)::int AS n FROM run_outcomes WHERE run_id = $1`, [runId]))[0]
        .n,
    ).toBe(0);
  });

  it('moves a sent person to failed when the provider reports the message failed, once, and counts rows of several runs in one statement', async () => {
    const [first, second] = [await newRun(2), await newRun(1)];
    const people = [first, first, second].map((runId) => ({
      runId,
      contactId: randomUUID(),
      botId: randomUUID(),
      channel: 'whatsapp' as const,
      providerMessageId: `wamid.${randomUUID()}`,
    }));
    await deliveries.claim(people);
    await deliveries.markSent(people);
    expect(await counts(first)).toMatchObject({ sent: 2, status: 'completed' });
    expect(await counts(second)).toMatchObject({ sent: 1, status: 'completed' });
    const failure = { status: 'failed' as const, providerMessageId: people[0].providerMessageId };
    await deliveries.applyStatuses('whatsapp', [failure]);
    await deliveries.applyStatuses('whatsapp', [failure]);
    // Delivered and read are not counted by the move: their results go through the ledger.
    await deliveries.applyStatuses('whatsapp', [
      { status: 'read', providerMessageId: people[1].providerMessageId },
    ]);
    expect(await counts(first)).toMatchObject({ sent: 1, failed: 1, delivered: 0, read: 0 });
    expect(await counts(second)).toMatchObject({ sent: 1, failed: 0 });
  });

  it('counts the people of a dead request as failed only where their row did not end, and never again when it ends later', async () => {
    const runId = await newRun(3);
    const [sent, waiting, unclaimed] = [0, 1, 2].map(() => ({
      runId,
      contactId: randomUUID(),
      botId: randomUUID(),
      channel: 'messenger' as const,
    }));
    await deliveries.claim([sent, waiting]);
    await deliveries.markSent([{ ...sent, providerMessageId: 'm.1' }]);
    await runs.failUnsettled(runId, [sent.contactId, waiting.contactId, unclaimed.contactId]);
    await runs.failUnsettled(runId, [waiting.contactId]);
    expect(await counts(runId)).toMatchObject({ sent: 1, failed: 2, status: 'completed' });
    // The dead request replayed: the waiting row is sent after all, and counted nowhere twice.
    await deliveries.markSent([{ ...waiting, providerMessageId: 'm.2' }]);
    expect(await counts(runId)).toMatchObject({ sent: 1, failed: 2 });
  });

  it('records people writing in: last inbound time, STOP and START, and creates unknown senders', async () => {
    const bot = await bots.create('inbound bot');
    const accountSid = `AC${randomUUID().replaceAll('-', '')}`;
    await channels.create(
      bot.id,
      'sms',
      { accountSid, from: '+15550001111', baseUrl: 'http://127.0.0.1:1' },
      { authToken: 't' },
    );
    const [known] = await contacts.upsertMany(bot.id, [
      { channel: 'sms', userId: '+15550002222', phone: '+15550002222', variables: {} },
    ]);
    const at = new Date();
    const result = await contacts.recordInbound([
      {
        channel: 'sms',
        account: accountSid,
        sender: '+15550002222',
        to: '+15550001111',
        at,
        keyword: 'opt_out',
      },
      { channel: 'sms', account: accountSid, sender: '+15550003333', to: '+15550001111', at },
      // Another sender number of the same account is not this bot's.
      { channel: 'sms', account: accountSid, sender: '+15550004444', to: '+15559999999', at },
    ]);
    expect(result).toEqual({ updated: 1, created: 1 });
    const [stopped] = await contacts.findByIds(bot.id, [known.id]);
    expect(stopped).toMatchObject({
      optedOutAt: expect.any(Date),
      lastInboundAt: expect.any(Date),
    });
    const created = await contacts.findByIdentities(bot.id, {
      userIds: [],
      phones: ['15550003333'],
      emails: [],
      fbids: [],
    });
    expect(created).toEqual([
      expect.objectContaining({ channel: 'sms', userId: '+15550003333', optedOutAt: null }),
    ]);
    expect(
      await contacts.findByIdentities(bot.id, {
        userIds: [],
        phones: ['+15550004444'],
        emails: [],
        fbids: [],
      }),
    ).toEqual([]);

    await contacts.recordInbound([
      {
        channel: 'sms',
        account: accountSid,
        sender: '15550002222',
        to: '+15550001111',
        at: new Date(),
        keyword: 'opt_in',
      },
    ]);
    expect((await contacts.findByIds(bot.id, [known.id]))[0].optedOutAt).toBeNull();
  });
  it('merges variables and updates identities of known contacts, answering the rows', async () => {
    const botId = (await bots.create('merge bot')).id;
    const [a, b] = await contacts.upsertMany(botId, [
      { channel: 'sms', userId: '+15550005001', variables: { tier: 'gold' } },
      { channel: 'sms', userId: '+15550005002', variables: {} },
    ]);
    expect(await contacts.mergeVariables(botId, [a.id], { city: 'Oslo' })).toEqual([
      expect.objectContaining({ id: a.id, variables: { tier: 'gold', city: 'Oslo' } }),
    ]);
    const updated = await contacts.updateMany(botId, [
      { id: b.id, variables: { city: 'Rome' }, email: 'b@example.com' },
      { id: b.id, variables: { lang: 'it' } },
    ]);
    expect(updated).toEqual([
      expect.objectContaining({
        id: b.id,
        email: 'b@example.com',
        variables: { city: 'Rome', lang: 'it' },
      }),
    ]);
    // Another bot's contact is out of reach.
    expect(await contacts.updateMany(randomUUID(), [{ id: a.id, variables: { x: '1' } }])).toEqual(
      [],
    );
  });
  it('reads an audience page with what a send needs, of the asking bot only', async () => {
    const botId = (await bots.create('reach bot')).id;
    const otherBotId = (await bots.create('other reach bot')).id;
    const [own] = await contacts.upsertMany(botId, [
      {
        channel: 'sms',
        userId: '+15550006001',
        phone: '+15550006001',
        variables: { tier: 'gold' },
      },
    ]);
    const [foreign] = await contacts.upsertMany(otherBotId, [
      { channel: 'sms', userId: '+15550006002', variables: {} },
    ]);
    // Exactly the fields a send reads: the dates first and last seen are not parsed for it.
    expect(await contacts.findByIds(botId, [own.id, foreign.id, randomUUID()])).toEqual([
      {
        id: own.id,
        botId,
        channel: 'sms',
        userId: '+15550006001',
        phone: '+15550006001',
        email: null,
        fbid: null,
        variables: { tier: 'gold' },
        lastInboundAt: null,
        optedOutAt: null,
      },
    ]);
    expect(await contacts.findByIds(botId, [])).toEqual([]);
  });
});
