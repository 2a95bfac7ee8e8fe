// DeliveryStatusService with fake rows and a fake publisher: the results applied statuses stand for.
import { randomUUID } from 'node:crypto';
import { Topics, resultsOf, type DeliveryResultBatch } from '@herald/contracts';
import type { EventPublisher, OutgoingEvent } from '@herald/kafka';
import type { DeliveryRepository, StatusMatch } from '@herald/persistence';
import type { DeliveryChannelDefinition } from './delivery-channel.js';
import { DeliveryConfig } from './delivery.config.js';
import type { DeliveryMetrics } from './delivery.metrics.js';
import { DeliveryStatusService } from './delivery-status.service.js';

describe('DeliveryStatusService results', () => {
  it('publishes what the moved rows stand for as one delivery.result.v2 record per run, counted per person', async () => {
    const botId = randomUUID();
    const [a, b] = [randomUUID(), randomUUID()];
    const match = (runId: string, status: StatusMatch['status'], id: string): StatusMatch => ({
      runId,
      contactId: randomUUID(),
      botId,
      channel: 'sms',
      status,
      providerMessageId: id,
      reason: status === 'failed' ? 'unreachable' : null,
      code: status === 'failed' ? '30003' : null,
    });
    const matches = [match(a, 'read', 'm1'), match(b, 'failed', 'm2'), match(a, 'delivered', 'm3')];
    const published: Array<{ topic: string; events: OutgoingEvent<DeliveryResultBatch>[] }> = [];
    const counted: string[] = [];
    const service = new DeliveryStatusService(
      new DeliveryConfig(),
      { applyStatuses: async () => matches } as unknown as DeliveryRepository,
      {
        publish: async (topic: string, events: OutgoingEvent<DeliveryResultBatch>[]) => {
          published.push({ topic, events });
        },
        publishRetry: async () => undefined,
      } as unknown as EventPublisher,
      { channel: 'sms' } as DeliveryChannelDefinition,
      {
        published: (results: Array<{ status: string }>) => {
          for (const { status } of results) counted.push(status);
        },
      } as unknown as DeliveryMetrics,
    );
    await service.apply(
      matches.map((m) => ({
        channel: 'sms',
        account: 'AC1',
        recipient: '+15550100001',
        status: m.status as 'delivered' | 'read' | 'failed',
        providerMessageId: m.providerMessageId!,
        at: '2026-12-06T08:00:00.000Z',
      })),
    );
    expect(published.map((p) => p.topic)).toEqual([Topics.DeliveryResultBatch]);
    const [{ events }] = published;
    expect(events.map((e) => [e.key, e.data.runId])).toEqual([
      [a, a],
      [b, b],
    ]);
    expect(resultsOf(events[0].data).map((r) => [r.contactId, r.status])).toEqual([
      [matches[0].contactId, 'delivered'],
      [matches[0].contactId, 'read'],
      [matches[2].contactId, 'delivered'],
    ]);
    expect(resultsOf(events[1].data)).toEqual([
      expect.objectContaining({
        contactId: matches[1].contactId,
        status: 'failed',
        code: '30003',
        reason: 'the provider reported the message failed: unreachable',
      }),
    ]);
    expect(counted).toEqual(['delivered', 'read', 'failed', 'delivered']);
  });
});
