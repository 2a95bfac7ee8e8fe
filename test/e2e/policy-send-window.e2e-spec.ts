// Send windows through the real stack (issue 13): a window that opens a minute from now, in a zone
// chosen for the test, holds one person (`scheduled` with the time) while a person whose local
// time is already inside it is sent at once; the hold survives a restart of the contact and
// delivery services, and releases the person when the window opens; then the run completes.
import { eventually } from '@herald/testing';
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';

/** "HH:MM" of instant `t` in `zone`. */
function localHhmm(t: number, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(t));
}

interface Held {
  counts: { scheduled: number; released: number };
  held: Array<{ recipient: string; status: string; dueAt: string; zone: string; reason: string }>;
}

describe('policy: send windows', () => {
  let h: DeliveryHarness;

  beforeAll(async () => {
    h = await DeliveryHarness.start({}, ['gateway', 'audience', 'contact', 'delivery-sms']);
  }, 90_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('refuses a malformed window naming the field', async () => {
    const botId = await h.bot({});
    const bad = await h.stack.admin<{ error: { field: string } }>(
      'PATCH',
      `/admin/bots/${botId}/settings`,
      { sendWindow: { from: '9am', to: '20:00' } },
    );
    expect(bad).toMatchObject({ status: 400, body: { error: { field: 'sendWindow.from' } } });
    const broadcast = await h.stack.admin<{ error: { message: string } }>(
      'POST',
      `/admin/bots/${botId}/broadcasts`,
      {
        name: 'windowed',
        content: { messages: [{ text: 'x' }] },
        settings: { sendWindow: { from: '09:00', to: '09:00' } },
      },
    );
    expect(broadcast.status).toBe(400);
    expect(JSON.stringify(broadcast.body)).toContain('settings.sendWindow.to');
  });

  it('holds a person outside their local window durably and sends them when it opens', async () => {
    const botId = await h.bot({
      sms: {
        accountSid: 'AC00000000000000000000000000000072',
        authToken: 'tok',
        from: '+15550007200',
        messagesPerSecond: 500,
      },
    });
    // The window opens at the next whole minute at least 60 s away, in Kathmandu (UTC+05:45), for
    // 30 minutes. Dhaka (UTC+06:00) is 15 minutes ahead: already inside it.
    const opensAt = Math.ceil((Date.now() + 60_000) / 60_000) * 60_000;
    const window = {
      from: localHhmm(opensAt, 'Asia/Kathmandu'),
      to: localHhmm(opensAt + 30 * 60_000, 'Asia/Kathmandu'),
    };
    expect(
      (await h.stack.admin('PATCH', `/admin/bots/${botId}/settings`, { sendWindow: window }))
        .status,
    ).toBe(200);
    const later = '+15550720001';
    const now = '+15550720002';
    const runId = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Good morning {{first_name}}' }] },
      targets: [
        {
          userId: later,
          channel: 'sms',
          create: true,
          variables: { first_name: 'Kathmandu', timezone: 'Asia/Kathmandu' },
        },
        {
          userId: now,
          channel: 'sms',
          create: true,
          variables: { first_name: 'Dhaka', timezone: 'Asia/Dhaka' },
        },
      ],
    });

    const held = () => h.stack.admin<Held>('GET', `/admin/runs/${runId}/held`);
    await eventually(
      async () => (await h.messages('sms', now)).length === 1,
      'the person inside the window to be sent at once',
    );
    const scheduled = await eventually(
      async () => ((await held()).body.counts?.scheduled === 1 ? (await held()).body : undefined),
      'the hold',
    );
    expect(scheduled.held).toEqual([
      expect.objectContaining({
        recipient: later,
        status: 'scheduled',
        dueAt: new Date(opensAt).toISOString(),
        zone: 'Asia/Kathmandu',
        reason: expect.stringContaining('outside the send window'),
      }),
    ]);
    // The sandbox has the message before the run has folded its result: wait for the count.
    expect(
      await h.runWhen(runId, (r) => r.sent === 1, 'the sent person to be counted'),
    ).toMatchObject({ status: 'delivering', targeted: 2, sent: 1 });
    expect((await h.stack.admin('GET', `/admin/runs/${runId}`)).body).toMatchObject({
      status: 'delivering',
      counts: { targeted: 2, sent: 1, scheduled: 1 },
    });
    expect(await h.messages('sms', later)).toEqual([]);

    // Restart the contact and delivery services while the person is held.
    for (const name of ['contact', 'delivery-sms'] as const) await h.stack.apps.get(name)!.close();
    const restarted = await h.stack.startMore(['contact', 'delivery-sms']);
    for (const [name, app] of restarted) h.stack.apps.set(name, app);
    expect(Date.now()).toBeLessThan(opensAt);

    const run = await h.runWhen(
      runId,
      (r) => r.status === 'completed',
      'the run to complete once the window opened',
      150_000,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(opensAt);
    expect(run).toMatchObject({ targeted: 2, sent: 2, skipped: 0, failed: 0 });
    expect((await h.messages('sms', later)).map((m) => [m.text, m.count])).toEqual([
      ['Good morning Kathmandu', 1],
    ]);
    expect((await held()).body).toMatchObject({
      counts: { scheduled: 0, released: 1 },
      held: [expect.objectContaining({ status: 'released' })],
    });
    expect((await h.stack.admin('GET', `/admin/runs/${runId}`)).body).toMatchObject({
      status: 'completed',
      counts: { sent: 2, scheduled: 0 },
    });
  }, 240_000);
});
