// The batched delivery request (`delivery.requested.<channel>.v2`): one record asks one channel
// to message many people of one run. The contact service groups a page's people by the partition
// their contact id hashes to, so each person's requests still stay in order on one partition,
// and the record pays one Kafka record, one header set and one validation for all of them.
import { Type, type Static } from '@sinclair/typebox';
import { ChannelSchema, Message, Timestamp, Uuid, Variables } from './common.schema.js';
import { DeliveryRequestedSchema, type DeliveryRequested } from './delivery-requested.event.js';

/** The most people one batched record carries (the contact service also cuts by bytes). */
export const MAX_BATCH_RECIPIENTS = 1000;

/**
 * The size a producer keeps a batched record under (its JSON), well inside Kafka's default
 * 1 MB record: cut a batch in two rather than have the publisher refuse it.
 */
export const BATCH_RECORD_BYTES = 512 * 1024;

const fields = DeliveryRequestedSchema.properties;

export const DeliveryRecipientSchema = Type.Object({
  contactId: Uuid,
  to: fields.to,
  variables: Variables,
  messages: Type.Optional(
    Type.Array(Message, {
      minItems: 1,
      maxItems: 10,
      description: "This person's own messages (a From-API row's text), instead of the batch's.",
    }),
  ),
  lastInboundAt: Type.Optional(Timestamp),
  fallback: fields.fallback,
  fallbackFrom: fields.fallbackFrom,
});
export type DeliveryRecipient = Static<typeof DeliveryRecipientSchema>;

export const DeliveryRequestedBatchSchema = Type.Object(
  {
    runId: Uuid,
    botId: Uuid,
    channel: ChannelSchema,
    messages: fields.messages,
    payload: fields.payload,
    messagingTag: fields.messagingTag,
    notificationMessagesToken: fields.notificationMessagesToken,
    oneTimeNotifToken: fields.oneTimeNotifToken,
    recipients: Type.Array(DeliveryRecipientSchema, {
      minItems: 1,
      maxItems: MAX_BATCH_RECIPIENTS,
    }),
  },
  {
    $id: 'https://herald.dev/schemas/delivery.requested.v2.json',
    title: 'DeliveryRequestedBatch',
    description:
      "Send many people of one run their message on one channel: the first try of each. Keyed by one recipient's contactId; every recipient's contact id hashes to the same partition.",
  },
);
export type DeliveryRequestedBatch = Static<typeof DeliveryRequestedBatchSchema>;

/** The one-person requests a batch stands for (first tries: attempt 0). */
export function requestsOf(batch: DeliveryRequestedBatch): DeliveryRequested[] {
  const { recipients, messages, ...shared } = batch;
  return recipients.map((r) => ({
    ...shared,
    ...r,
    messages: r.messages ?? messages,
    attempt: 0,
  }));
}
