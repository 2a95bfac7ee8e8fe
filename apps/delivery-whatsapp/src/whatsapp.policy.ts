// WhatsApp: free-form messages only within 24 hours of the person's last message; outside
// it, only an approved template (the provider would fail the send with 131047 anyway).
import {
  WINDOW_MS,
  describeSince,
  enforcesWindow,
  sinceLastInbound,
  type ChannelPolicy,
} from '@herald/delivery-core';

const PHONE = /^\+?[1-9]\d{6,14}$/;

export const whatsappPolicy: ChannelPolicy = {
  check(request, message, account, now) {
    if (!PHONE.test(request.to)) {
      return {
        code: 'INVALID_RECIPIENT',
        reason: `"${request.to}" is not a phone number in international form (e.g. +15551234567); WhatsApp cannot be sent`,
      };
    }
    if ('template' in message || !enforcesWindow(account)) return null;
    const since = sinceLastInbound(request, now);
    if (since !== null && since <= WINDOW_MS) return null;
    return {
      code: 'WINDOW_CLOSED',
      reason:
        `outside WhatsApp's 24-hour window: ${request.to} ${describeSince(since)}; free-form text is not allowed, ` +
        'send an approved template instead',
    };
  },
};
