// Frequency cap through the real stack (issue 13): with `frequencyCap: {max: 3, hours: 24}` the
// fourth broadcast to one person in a day skips them, with the reason, counted in the run; a
// single-person API send (CSML) is exempt and does not count.
import { Topics, resultsOf, type DeliveryResultBatch } from '@herald/contracts';
import { skipEventId } from '../../apps/contact/src/resolve-contacts.service.js';
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';

describe('policy: frequency cap', () => {
  let h: DeliveryHarness;

  beforeAll(async () => {
    h = await DeliveryHarness.start();
  }, 90_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('skips the fourth message in the window, with its reason, and exempts single-person sends', async () => {
    const botId = await h.bot({
      sms: {
        accountSid: 'AC00000000000000000000000000000071',
        authToken: 'tok',
        from: '+15550007100',
        messagesPerSecond: 500,
      },
    });
    const set = await h.stack.admin('PATCH', `/admin/bots/${botId}/settings`, {
      frequencyCap: { max: 3, hours: 24 },
    });
    expect(set).toEqual({ status: 200, body: { frequencyCap: { max: 3, hours: 24 } } });
    const capped = '+15550710001';
    const fresh = '+15550710002';
    const send = async (text: string, people: string[], source?: string) => {
      const request = {
        botId,
        content: { messages: [{ text }] },
        targets: people.map((userId) => ({ userId, channel: 'sms' as const, create: true })),
        ...(source ? { source } : {}),
      };
      const runId = await h.broadcast(request);
      return { runId, run: await h.runWhen(runId) };
    };

    for (const n of [1, 2, 3])
      expect((await send(`Offer ${n}`, [capped])).run).toMatchObject({ sent: 1, skipped: 0 });
    const fourth = await send('Offer 4', [capped, fresh]);
    expect(fourth.run).toMatchObject({
      status: 'completed',
      targeted: 2,
      sent: 1,
      skipped: 1,
      failed: 0,
    });
    expect((await h.messages('sms', capped)).map((m) => m.text)).toEqual([
      'Offer 1',
      'Offer 2',
      'Offer 3',
    ]);
    expect((await h.messages('sms', fresh)).map((m) => m.text)).toEqual(['Offer 4']);

    // The skip names the person and the reason.
    const results = (
      await h.probe.read(
        Topics.DeliveryResultBatch,
        await h.probe.endOffset(Topics.DeliveryResultBatch),
      )
    ).flatMap((m) => resultsOf(JSON.parse(m.value) as DeliveryResultBatch));
    expect(results.filter((r) => r.runId === fourth.runId && r.status === 'skipped')).toEqual([
      expect.objectContaining({
        // Counted by an id derived from the target (page 0, first target), its skip row's id too.
        id: skipEventId(fourth.runId, 0, 0),
        recipient: capped,
        reason:
          'frequency cap: +15550710001 already received 3 broadcast messages from this bot in the last 24 hours (the bot allows 3)',
      }),
    ]);

    expect(
      (await h.db.query('SELECT id FROM run_skips WHERE run_id = $1', [fourth.runId])).rows,
    ).toEqual([{ id: skipEventId(fourth.runId, 0, 0) }]);

    // A CSML send to one person is exempt (and does not count); the next broadcast is still capped.
    expect((await send('Your order shipped', [capped], 'csml')).run).toMatchObject({
      sent: 1,
      skipped: 0,
    });
    expect((await send('Offer 5', [capped])).run).toMatchObject({ sent: 0, skipped: 1 });
    expect(await h.messages('sms', capped)).toHaveLength(4);
  });
});
