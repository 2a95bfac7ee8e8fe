// One typed catalog of topic → event: `publish(topic, event)` and an `@OnEvent(topic)` handler do
// not compile with the wrong payload, and every consumer validates against the same JSON Schema
// the AsyncAPI document shows. Producers and consumers are checked against the code
// (test/integration/kafka/catalog-truth.int-spec.ts).
import type { TSchema } from '@sinclair/typebox';
import {
  BroadcastRequestedSchema,
  type BroadcastRequested,
} from './events/broadcast-requested.event.js';
import {
  DeliveryRequestedSchema,
  type DeliveryRequested,
} from './events/delivery-requested.event.js';
import { DeliveryResultSchema, type DeliveryResult } from './events/delivery-result.event.js';
import {
  DeliveryRequestedBatchSchema,
  type DeliveryRequestedBatch,
} from './events/delivery-batch.event.js';
import {
  DeliveryResultBatchSchema,
  type DeliveryResultBatch,
} from './events/delivery-result-batch.event.js';
import {
  DeliveryStatusReportSchema,
  type DeliveryStatusReport,
} from './events/delivery-status.event.js';
import { ContactInboundSchema, type ContactInbound } from './events/contact-inbound.event.js';
import { DeliveryFallbackSchema, type DeliveryFallback } from './events/delivery-fallback.event.js';
import { TargetResolvedSchema, type TargetResolved } from './events/target-resolved.event.js';
import { Topics, type TopicName } from './topics.js';

export interface EventMap {
  [Topics.BroadcastRequested]: BroadcastRequested;
  [Topics.TargetResolved]: TargetResolved;
  [Topics.DeliveryRequestedWhatsapp]: DeliveryRequested;
  [Topics.DeliveryRequestedSms]: DeliveryRequested;
  [Topics.DeliveryRequestedMessenger]: DeliveryRequested;
  [Topics.DeliveryBatchWhatsapp]: DeliveryRequestedBatch;
  [Topics.DeliveryBatchSms]: DeliveryRequestedBatch;
  [Topics.DeliveryBatchMessenger]: DeliveryRequestedBatch;
  [Topics.DeliveryResult]: DeliveryResult;
  [Topics.DeliveryResultBatch]: DeliveryResultBatch;
  [Topics.DeliveryStatusWhatsapp]: DeliveryStatusReport;
  [Topics.DeliveryStatusSms]: DeliveryStatusReport;
  [Topics.DeliveryStatusMessenger]: DeliveryStatusReport;
  [Topics.ContactInbound]: ContactInbound;
  [Topics.DeliveryFallback]: DeliveryFallback;
}

export interface TopicContract {
  topic: TopicName;
  /** CloudEvents `ce_type`. */
  type: string;
  schema: TSchema;
  /** What the Kafka message key is, so one entity's events stay ordered on one partition. */
  key: 'runId' | 'contactId' | 'recipient' | 'sender';
  summary: string;
  producers: string[];
  consumers: string[];
}

const deliveryStatus = (channel: string, topic: TopicName): TopicContract => ({
  topic,
  type: 'dev.herald.delivery.status.v1',
  schema: DeliveryStatusReportSchema,
  key: 'recipient',
  summary: `A ${channel} provider reported a message delivered, read or failed (verified webhook).`,
  producers: ['gateway'],
  consumers: [`delivery-${channel}`],
});

const deliveryRequested = (channel: string, topic: TopicName): TopicContract => ({
  topic,
  type: 'dev.herald.delivery.requested.v1',
  schema: DeliveryRequestedSchema,
  key: 'contactId',
  summary: `Send one person their message on ${channel}: a retry, a held delivery released when its send window opens, a person the delivery service parked behind their account's pacing put back when their turn comes (pacedUntil), or a first try from a contact service older than delivery.requested.v2.`,
  producers: ['contact'],
  consumers: [`delivery-${channel}`],
});

const deliveryBatch = (channel: string, topic: TopicName): TopicContract => ({
  topic,
  type: 'dev.herald.delivery.requested.v2',
  schema: DeliveryRequestedBatchSchema,
  key: 'contactId',
  summary: `Send many people of one run their message on ${channel} (first tries; each recipient's contact id hashes to the record's partition, so one person's requests stay in order).`,
  producers: ['contact'],
  consumers: [`delivery-${channel}`],
});

export const CATALOG: Readonly<Record<TopicName, TopicContract>> = {
  [Topics.BroadcastRequested]: {
    topic: Topics.BroadcastRequested,
    type: 'dev.herald.broadcast.requested.v1',
    schema: BroadcastRequestedSchema,
    key: 'runId',
    summary: 'A broadcast run was requested (by an API call, the console, or another service).',
    producers: ['gateway', 'any internal service'],
    consumers: ['audience'],
  },
  [Topics.TargetResolved]: {
    topic: Topics.TargetResolved,
    type: 'dev.herald.target.resolved.v1',
    schema: TargetResolvedSchema,
    key: 'runId',
    summary: 'A page of resolved targets of a run.',
    producers: ['audience'],
    consumers: ['contact'],
  },
  [Topics.DeliveryRequestedWhatsapp]: deliveryRequested(
    'whatsapp',
    Topics.DeliveryRequestedWhatsapp,
  ),
  [Topics.DeliveryRequestedSms]: deliveryRequested('sms', Topics.DeliveryRequestedSms),
  [Topics.DeliveryRequestedMessenger]: deliveryRequested(
    'messenger',
    Topics.DeliveryRequestedMessenger,
  ),
  [Topics.DeliveryBatchWhatsapp]: deliveryBatch('whatsapp', Topics.DeliveryBatchWhatsapp),
  [Topics.DeliveryBatchSms]: deliveryBatch('sms', Topics.DeliveryBatchSms),
  [Topics.DeliveryBatchMessenger]: deliveryBatch('messenger', Topics.DeliveryBatchMessenger),
  [Topics.DeliveryResult]: {
    topic: Topics.DeliveryResult,
    type: 'dev.herald.delivery.result.v1',
    schema: DeliveryResultSchema,
    key: 'runId',
    summary:
      'The outcome for one person in a run: sent, delivered, read, failed or skipped. Superseded by delivery.result.v2; still read, for producers not yet upgraded.',
    producers: [],
    consumers: ['audience'],
  },
  [Topics.DeliveryResultBatch]: {
    topic: Topics.DeliveryResultBatch,
    type: 'dev.herald.delivery.result.v2',
    schema: DeliveryResultBatchSchema,
    key: 'runId',
    summary:
      'The outcomes of many people of one run: sent, delivered, read, failed or skipped, each counted once.',
    producers: ['contact', 'delivery-whatsapp', 'delivery-sms', 'delivery-messenger'],
    consumers: ['audience'],
  },
  [Topics.DeliveryStatusWhatsapp]: deliveryStatus('whatsapp', Topics.DeliveryStatusWhatsapp),
  [Topics.DeliveryStatusSms]: deliveryStatus('sms', Topics.DeliveryStatusSms),
  [Topics.DeliveryStatusMessenger]: deliveryStatus('messenger', Topics.DeliveryStatusMessenger),
  [Topics.ContactInbound]: {
    topic: Topics.ContactInbound,
    type: 'dev.herald.contact.inbound.v1',
    schema: ContactInboundSchema,
    key: 'sender',
    summary:
      'A person wrote to a bot (a verified provider webhook): their last inbound time, and SMS opt-out/opt-in keywords.',
    producers: ['gateway'],
    consumers: ['contact'],
  },
  [Topics.DeliveryFallback]: {
    topic: Topics.DeliveryFallback,
    type: 'dev.herald.delivery.fallback.v1',
    schema: DeliveryFallbackSchema,
    key: 'contactId',
    summary:
      'A channel could not reach a person ("not here"): reach them once on their broadcast\'s next channel.',
    producers: ['delivery-whatsapp', 'delivery-sms'],
    consumers: ['contact'],
  },
};

export function contractOf(topic: string): TopicContract | undefined {
  return (CATALOG as Record<string, TopicContract | undefined>)[topic];
}
