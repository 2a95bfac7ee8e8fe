// Scaling a delivery service under load (issue 14): delivery-sms runs as one replica while a
// broadcast to a few thousand people is being sent, two more replicas join its consumer groups
// mid-run and take partitions (each sends), then two of the three shut down gracefully (as on
// SIGTERM) mid-run, giving back what they had not sent. Everyone reaches the provider exactly
// once, every delivery ends final, and the run completes with exact counts. And a replica whose
// paced batch is in flight when another joins gives back the people it has not sent, spending no
// attempt, instead of holding the group's rebalance until it has sent them all. The replicas are
// Nest apps in this process, each with its own Kafka clients and consumer group memberships.
import type { INestApplication } from '@nestjs/common';
import { counterSum, eventually } from '@herald/testing';
import { SERVICE_NAMES } from '../../apps/herald/src/services.js';
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';

const PEOPLE = 3_000;
/** The sender's pace, shared by every replica: the run lasts about PEOPLE / RATE seconds. */
const RATE = 200;
/**
 * Small pages make small records (about 10 people a partition), so a replica's batch in flight
 * is a few hundred people, not a partition's whole share: a rebalance waits for that batch to end.
 */
const PAGE_SIZE = 30;
const RETRY_DELAYS = '500ms,1s,2s';
/** The hand-back case: a slow pace, so a replica's batches in flight last several heartbeats (3 s). */
const SLOW_PEOPLE = 300;
const SLOW_RATE = 10;

interface Replica {
  name: string;
  app: INestApplication;
}

describe('delivery-sms scaled from 1 to 3 replicas and back to 1 mid-broadcast', () => {
  let h: DeliveryHarness;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    // Everything but delivery-sms in the harness; its replicas are started by the test.
    h = await DeliveryHarness.start(
      { AUDIENCE_PAGE_SIZE: String(PAGE_SIZE), DELIVERY_RETRY_DELAYS: RETRY_DELAYS },
      SERVICE_NAMES.filter((s) => s !== 'delivery-sms'),
    );
  }, 90_000);

  afterAll(async () => {
    for (const r of replicas) await r.app.close();
    await h?.stop();
  });

  /** Starts one more delivery-sms replica on the harness's topics and groups; resolves once it consumes. */
  async function startReplica(name: string): Promise<Replica> {
    // The harness's settings (its topics, database, sandbox, page size and retry delays).
    const apps = await h.stack.startMore(['delivery-sms']);
    const app = apps.get('delivery-sms')!;
    const replica = { name, app };
    replicas.push(replica);
    return replica;
  }

  /** The people a replica sent (its own counter: results announced again are not counted). */
  const sentBy = (replica: Replica) =>
    counterSum(replica.app, 'herald_deliveries_total', { channel: 'sms', status: 'sent' });

  /** Chunks a replica's consumers gave back because their group rebalanced. */
  const handedBack = (replica: Replica) =>
    counterSum(replica.app, 'herald_kafka_events_consumed_total', { outcome: 'handed_back' });

  /** Closes a replica as SIGTERM does (Nest's shutdown hooks): drains, records, leaves its groups. */
  async function shutDown(replica: Replica): Promise<void> {
    replicas.splice(replicas.indexOf(replica), 1);
    await replica.app.close();
  }

  it('reaches everyone exactly once, with every replica sending, and completes the run', async () => {
    const accountSid = 'AC00000000000000000000000000001402';
    const people = Array.from(
      { length: PEOPLE },
      (_, i) => `+1555142${String(i).padStart(4, '0')}`,
    );
    const botId = await h.bot({
      sms: { accountSid, authToken: 't', from: '+15550014020', messagesPerSecond: RATE },
    });
    const reached = async () => (await h.stats('sms')).unique;

    // One replica.
    const first = await startReplica('first');
    const runId = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Scaling test' }] },
      targets: people.map((userId) => ({ userId, channel: 'sms', create: true })),
    });
    await eventually(async () => (await sentBy(first)) >= PEOPLE / 20, 'the first sends', 30_000);

    // 1 → 3: two replicas join the groups; each must be given partitions and send.
    const [second, third] = await Promise.all([startReplica('second'), startReplica('third')]);
    await eventually(
      async () => (await sentBy(second)) > 0 && (await sentBy(third)) > 0,
      'the added replicas to send',
      30_000,
    );

    // 3 → 1, mid-run: the first replica and one added one shut down together.
    expect(await reached()).toBeLessThan(PEOPLE * 0.8);
    await Promise.all([shutDown(first), shutDown(second)]);
    const survivorBefore = await sentBy(third);
    expect(await reached()).toBeLessThan(PEOPLE);

    const run = await h.runWhen(runId, undefined, 'the run to complete on one replica', 60_000);
    expect(run).toMatchObject({ targeted: PEOPLE, sent: PEOPLE, failed: 0, skipped: 0 });

    // Everyone reached the provider exactly once.
    const received = await h.messages('sms');
    expect(received.map((m) => m.to).sort()).toEqual(people);
    expect(received.filter((m) => m.count > 1)).toEqual([]);
    expect(await h.stats('sms')).toMatchObject({ unique: PEOPLE, duplicates: 0 });

    // Every delivery is final (sent), none left pending or sending.
    const rows = await h.deliveries(runId);
    expect(rows).toHaveLength(PEOPLE);
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);

    // Every replica sent, the survivor also after the others left, and their sends add up to
    // the people: nobody was sent by two replicas.
    const sends = {
      first: await sentBy(first),
      second: await sentBy(second),
      third: await sentBy(third),
    };
    expect(sends.first).toBeGreaterThan(0);
    expect(sends.second).toBeGreaterThan(0);
    expect(sends.third).toBeGreaterThan(survivorBefore);
    expect(sends.first + sends.second + sends.third).toBe(PEOPLE);
  }, 120_000);

  it('gives back the people a replica has not sent when another joins, spending no attempt, and still reaches everyone once', async () => {
    for (const replica of [...replicas]) await shutDown(replica);
    const accountSid = 'AC00000000000000000000000000001403';
    const people = Array.from(
      { length: SLOW_PEOPLE },
      (_, i) => `+1555143${String(i).padStart(4, '0')}`,
    );
    const botId = await h.bot({
      sms: { accountSid, authToken: 't', from: '+15550014030', messagesPerSecond: SLOW_RATE },
    });
    // Every person's request waits in Kafka before the first replica fetches, so its batches in
    // flight are large and the joining replica's rebalance always meets one being sent. (Started
    // before the broadcast, it fetched each page as it came: a rebalance could then fall between
    // two small batches, with nothing in flight to give back.)
    const pagesHandled = () =>
      counterSum(h.stack.apps.get('contact')!, 'herald_kafka_events_consumed_total', {
        outcome: 'handled',
      });
    const handledBefore = await pagesHandled();
    const runId = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Hand-back test' }] },
      targets: people.map((userId) => ({ userId, channel: 'sms', create: true })),
    });
    await eventually(
      async () => (await pagesHandled()) - handledBefore >= Math.ceil(SLOW_PEOPLE / PAGE_SIZE),
      'the contact service to publish every page of the run',
      30_000,
    );
    const first = await startReplica('first');
    await eventually(async () => (await sentBy(first)) >= 5, 'the first sends', 30_000);

    // A replica joins while the first's batches (about 75 people at 10/s) are being sent.
    const second = await startReplica('second');
    await eventually(
      async () => (await handedBack(first)) > 0,
      'the first replica to give back what it had not sent',
      30_000,
    );
    // The account's pace is shared by the replicas, and booked at most a second ahead: the
    // slots the first replica booked and gave back hold the joined one up for about a second.
    // (Before the horizon, the first replica's waiting sends booked its whole batch, about 75
    // people at 10/s, and CI once waited longer than 30 s here.)
    await eventually(async () => (await sentBy(second)) > 0, 'the joined replica to send', 30_000);

    const run = await h.runWhen(runId, undefined, 'the run to complete', 90_000);
    expect(run).toMatchObject({ targeted: SLOW_PEOPLE, sent: SLOW_PEOPLE, failed: 0, skipped: 0 });
    const received = (await h.messages('sms')).filter((m) => people.includes(m.to));
    expect(received.map((m) => m.to).sort()).toEqual(people);
    expect(received.filter((m) => m.count > 1)).toEqual([]);
    // Given back is not attempted: every row was sent on its one attempt.
    const rows = await h.deliveries(runId);
    expect(rows.filter((r) => r.status !== 'sent' || r.attempts !== 1)).toEqual([]);
    expect((await sentBy(first)) + (await sentBy(second))).toBe(SLOW_PEOPLE);
  }, 150_000);
});
