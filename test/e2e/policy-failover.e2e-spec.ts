// Provider failover through the real stack (issue 13): a bot with two WhatsApp accounts sends
// through the first; while the sandbox holds that account in an outage its breaker opens and
// everyone goes out through the second account, at once and once each; when the first account
// recovers, traffic returns to it. The delivery rows name the account that sent and why the
// first did not, and the run counts who was failed over.
import { randomUUID } from 'node:crypto';
import { eventually } from '@herald/testing';
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';

interface AdminRun {
  counts: Record<string, number>;
}
interface AdminDeliveries {
  deliveries: Array<{
    userId: string;
    status: string;
    accountId: string | null;
    failover: string | null;
  }>;
}

describe('policy: provider failover', () => {
  let h: DeliveryHarness;

  beforeAll(async () => {
    h = await DeliveryHarness.start({
      BREAKER_MIN_CALLS: '5',
      BREAKER_RESET_MS: '1000',
      DELIVERY_RETRY_DELAYS: '200ms,300ms,400ms,500ms,600ms,700ms,800ms,900ms',
    });
  }, 90_000);

  afterAll(async () => {
    await h?.sandbox('POST', '/sandbox/faults', {}).catch(() => undefined);
    await h?.stop();
  });

  it("fails over to the second account during the first one's outage, nobody twice, and returns when it recovers", async () => {
    const first = '1065550901';
    const second = '1065550902';
    const botId = await h.bot({
      whatsapp: { phoneNumberId: first, accessToken: 'EAAG-first', messagesPerSecond: 1000 },
    });
    const added = await h.stack.admin<{ id: string; priority: number }>(
      'POST',
      `/admin/bots/${botId}/channels`,
      {
        type: 'whatsapp',
        config: {
          phoneNumberId: second,
          accessToken: 'EAAG-second',
          messagesPerSecond: 1000,
          enforceCustomerServiceWindow: false,
        },
      },
    );
    expect(added.status).toBe(201);
    expect(added.body.priority).toBe(1);
    const listed = await h.stack.admin<{ channels: Array<{ id: string; priority: number }> }>(
      'GET',
      `/admin/bots/${botId}/channels`,
    );
    expect(listed.body.channels.map((c) => c.priority)).toEqual([0, 1]);
    const firstId = listed.body.channels[0].id;
    const secondId = added.body.id;
    // Bad input names the field; two accounts at one priority are refused.
    const clash = await h.stack.admin('POST', `/admin/bots/${botId}/channels`, {
      type: 'whatsapp',
      priority: 1,
      config: { phoneNumberId: '1065550903', accessToken: 'EAAG-third' },
    });
    expect(clash.status).toBe(409);
    const bad = await h.stack.admin<{ error: { field?: string; message: string } }>(
      'POST',
      `/admin/bots/${botId}/channels`,
      {
        type: 'whatsapp',
        priority: 'soon',
        config: { phoneNumberId: '1065550903', accessToken: 'EAAG-third' },
      },
    );
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('priority');

    const broadcast = async (people: string[], text: string) => {
      const runId = await h.broadcast({
        botId,
        content: { messages: [{ text }] },
        targets: people.map((userId) => ({ userId, channel: 'whatsapp', create: true })),
      });
      await h.runWhen(runId, undefined, `run "${text}" to complete`, 60_000);
      return runId;
    };

    // The first account is down: its breaker opens, and everyone goes out through the second.
    await h.faults('whatsapp', { outageAccounts: [first] });
    const people = Array.from({ length: 40 }, (_, i) => `+1555091${String(i).padStart(4, '0')}`);
    const duringRun = await broadcast(people, 'During the outage');
    expect(await h.run(duringRun)).toMatchObject({ targeted: 40, sent: 40, failed: 0 });
    const during = (await h.messages('whatsapp')).filter((m) => m.text === 'During the outage');
    expect(during.map((m) => `+${m.to}`).sort()).toEqual(people);
    expect(during.every((m) => m.account === second && m.count === 1)).toBe(true);
    expect((await h.stats('whatsapp')).duplicates).toBe(0);

    const run = await h.stack.admin<AdminRun>('GET', `/admin/runs/${duringRun}`);
    expect(run.body.counts).toMatchObject({ sent: 40, failed: 0, failedOver: 40 });
    const rows = await h.stack.admin<AdminDeliveries>(
      'GET',
      `/admin/runs/${duringRun}/deliveries?limit=100`,
    );
    expect(rows.body.deliveries).toHaveLength(40);
    for (const row of rows.body.deliveries) {
      expect(row).toMatchObject({ status: 'sent', accountId: secondId });
      expect(row.failover).toMatch(
        new RegExp(`account #1 \\(${firstId}\\) did not send \\((its breaker is open|2: )`),
      );
    }

    // The first account recovers: once its breaker's probe succeeds, traffic returns to it.
    await h.faults('whatsapp', { outageAccounts: [] });
    await eventually(
      async () => {
        const probe = `+1555092${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
        const text = `Probe ${randomUUID()}`;
        await broadcast([probe], text);
        const sent = (await h.messages('whatsapp')).find((m) => m.text === text);
        return sent?.account === first;
      },
      'traffic to return to the first account',
      30_000,
    );
    const after = Array.from({ length: 20 }, (_, i) => `+1555093${String(i).padStart(4, '0')}`);
    const afterRun = await broadcast(after, 'After recovery');
    const received = (await h.messages('whatsapp')).filter((m) => m.text === 'After recovery');
    expect(received.map((m) => `+${m.to}`).sort()).toEqual(after);
    expect(received.every((m) => m.account === first && m.count === 1)).toBe(true);
    expect(
      (await h.stack.admin<AdminRun>('GET', `/admin/runs/${afterRun}`)).body.counts,
    ).toMatchObject({ sent: 20, failedOver: 0 });
    const afterRows = await h.stack.admin<AdminDeliveries>(
      'GET',
      `/admin/runs/${afterRun}/deliveries?limit=100`,
    );
    expect(
      afterRows.body.deliveries.every((r) => r.accountId === firstId && r.failover === null),
    ).toBe(true);
  });
});
