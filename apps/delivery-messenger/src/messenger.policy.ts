// Messenger: outside the standard 24-hour window a message needs a message tag (HUMAN_AGENT
// and CUSTOMER_FEEDBACK only up to 7 days) or a notification token; tags Meta retired are
// refused before the call.
import {
  WINDOW_MS,
  describeSince,
  enforcesWindow,
  sinceLastInbound,
  templateUnsupported,
  type ChannelPolicy,
} from '@herald/delivery-core';

export const MESSAGE_TAGS = [
  'ACCOUNT_UPDATE',
  'CONFIRMED_EVENT_UPDATE',
  'CUSTOMER_FEEDBACK',
  'HUMAN_AGENT',
  'POST_PURCHASE_UPDATE',
] as const;
const SEVEN_DAYS_MS = 7 * WINDOW_MS;
const WEEK_TAGS = new Set(['HUMAN_AGENT', 'CUSTOMER_FEEDBACK']);

export const messengerPolicy: ChannelPolicy = {
  check(request, message, account, now) {
    if (!('text' in message)) {
      return templateUnsupported('messenger');
    }
    const tag = request.messagingTag;
    if (tag !== undefined && !(MESSAGE_TAGS as readonly string[]).includes(tag)) {
      return {
        code: 'INVALID_TAG',
        reason: `"${tag}" is not a Messenger message tag; use one of ${MESSAGE_TAGS.join(', ')}`,
      };
    }
    if (!enforcesWindow(account)) return null;
    if (request.notificationMessagesToken || request.oneTimeNotifToken) return null;
    const since = sinceLastInbound(request, now);
    if (since !== null && since <= WINDOW_MS) return null;
    if (tag !== undefined && (!WEEK_TAGS.has(tag) || (since !== null && since <= SEVEN_DAYS_MS)))
      return null;
    return {
      code: 'WINDOW_CLOSED',
      reason:
        `outside Messenger's 24-hour window: the person ${describeSince(since)}` +
        (tag ? `, and ${tag} is only allowed within 7 days` : '') +
        `; send with a message tag (${MESSAGE_TAGS.join(', ')}) or a notification token`,
    };
  },
};
