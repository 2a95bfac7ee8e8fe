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
  DeliveryResult: 'delivery.result.v1',
  DeliveryStatusWhatsapp: 'delivery.status.whatsapp.v1',
  DeliveryStatusSms: 'delivery.status.sms.v1',
  DeliveryStatusMessenger: 'delivery.status.messenger.v1',
  ContactInbound: 'contact.inbound.v1',
  DeliveryFallback: 'delivery.fallback.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export const ALL_TOPICS: readonly TopicName[] = Object.values(Topics);

const deliveryTopicByChannel: Record<Channel, TopicName> = {
  whatsapp: Topics.DeliveryRequestedWhatsapp,
  sms: Topics.DeliveryRequestedSms,
  messenger: Topics.DeliveryRequestedMessenger,
};

export function deliveryTopicFor(channel: Channel): TopicName {
  return deliveryTopicByChannel[channel];
}

const statusTopicByChannel = {
  whatsapp: Topics.DeliveryStatusWhatsapp,
  sms: Topics.DeliveryStatusSms,
  messenger: Topics.DeliveryStatusMessenger,
} as const satisfies Record<Channel, TopicName>;

/** Where the gateway publishes a channel's verified provider status webhooks. */
export function deliveryStatusTopicFor<C extends Channel>(
  channel: C,
): (typeof statusTopicByChannel)[C] {
  return statusTopicByChannel[channel];
}

/** Where a consumer parks what it cannot parse, validate or ever process, with the reason. */
export function dlqTopicOf(topic: string): string {
  return `${topic}.dlq`;
}

/** Delayed-retry twin of a topic, e.g. `delivery.requested.sms.v1.retry.30s`. */
export function retryTopicOf(topic: string, delayLabel: string): string {
  return `${topic}.retry.${delayLabel}`;
}
