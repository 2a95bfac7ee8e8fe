// The Kafka topics of Herald's public event contract. Names carry the contract version; a
// breaking change gets a new topic (`.v2`) so old and new consumers can run side by side.
export const CHANNELS = ['whatsapp', 'sms', 'messenger'] as const;
export type Channel = (typeof CHANNELS)[number];

export const Topics = {
  BroadcastRequested: 'broadcast.requested.v1',
  TargetResolved: 'target.resolved.v1',
  DeliveryRequestedWhatsapp: 'delivery.requested.whatsapp.v1',
  DeliveryRequestedSms: 'delivery.requested.sms.v1',
  DeliveryRequestedMessenger: 'delivery.requested.messenger.v1',
  DeliveryBatchWhatsapp: 'delivery.requested.whatsapp.v2',
  DeliveryBatchSms: 'delivery.requested.sms.v2',
  DeliveryBatchMessenger: 'delivery.requested.messenger.v2',
  DeliveryResult: 'delivery.result.v1',
  DeliveryResultBatch: 'delivery.result.v2',
  DeliveryStatusWhatsapp: 'delivery.status.whatsapp.v1',
  DeliveryStatusSms: 'delivery.status.sms.v1',
  DeliveryStatusMessenger: 'delivery.status.messenger.v1',
  ContactInbound: 'contact.inbound.v1',
  DeliveryFallback: 'delivery.fallback.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export const ALL_TOPICS: readonly TopicName[] = Object.values(Topics);

const deliveryTopicByChannel = {
  whatsapp: Topics.DeliveryRequestedWhatsapp,
  sms: Topics.DeliveryRequestedSms,
  messenger: Topics.DeliveryRequestedMessenger,
} as const satisfies Record<Channel, TopicName>;

/** A channel's delivery topic, e.g. `delivery.requested.sms.v1` (one literal type per channel). */
export type DeliveryTopic<C extends Channel = Channel> = (typeof deliveryTopicByChannel)[C];

/** Where the contact service sends a channel's deliveries. */
export function deliveryTopicFor<C extends Channel>(channel: C): DeliveryTopic<C> {
  return deliveryTopicByChannel[channel];
}

const batchTopicByChannel = {
  whatsapp: Topics.DeliveryBatchWhatsapp,
  sms: Topics.DeliveryBatchSms,
  messenger: Topics.DeliveryBatchMessenger,
} as const satisfies Record<Channel, TopicName>;

/** A channel's batched delivery topic, e.g. `delivery.requested.sms.v2`. */
export type DeliveryBatchTopic<C extends Channel = Channel> = (typeof batchTopicByChannel)[C];

/** Where the contact service sends a channel's first tries, many people to a record. */
export function deliveryBatchTopicFor<C extends Channel>(channel: C): DeliveryBatchTopic<C> {
  return batchTopicByChannel[channel];
}

const statusTopicByChannel = {
  whatsapp: Topics.DeliveryStatusWhatsapp,
  sms: Topics.DeliveryStatusSms,
  messenger: Topics.DeliveryStatusMessenger,
} as const satisfies Record<Channel, TopicName>;

/** A channel's provider status topic, e.g. `delivery.status.sms.v1`. */
export type DeliveryStatusTopic<C extends Channel = Channel> = (typeof statusTopicByChannel)[C];

/** Where the gateway publishes a channel's verified provider status webhooks. */
export function deliveryStatusTopicFor<C extends Channel>(channel: C): DeliveryStatusTopic<C> {
  return statusTopicByChannel[channel];
}

/** Where a consumer parks what it cannot parse, validate or ever process, with the reason. */
export function dlqTopicOf(topic: string): string {
  return `${topic}.dlq`;
}

/**
 * A delayed-retry twin of a contract topic: its events are the topic's own events, read again
 * after a delay (`delivery.requested.sms.v1.retry.30s`).
 */
export type RetryTopic<T extends TopicName = TopicName> = `${T}.retry.${string}`;

/** Delayed-retry twin of a topic, e.g. `delivery.requested.sms.v1.retry.30s`. */
export function retryTopicOf<T extends TopicName>(topic: T, delayLabel: string): RetryTopic<T> {
  return `${topic}.retry.${delayLabel}`;
}
