// SMS: E.164 numbers only, text only, within Twilio's 1600-character body limit.
import { templateUnsupported, type ChannelPolicy } from '@herald/delivery-core';

const E164 = /^\+[1-9]\d{1,14}$/;
const MAX_BODY = 1600;

export const smsPolicy: ChannelPolicy = {
  check(request, message) {
    if (!E164.test(request.to)) {
      return {
        code: 'INVALID_RECIPIENT',
        reason: `"${request.to}" is not an E.164 phone number (e.g. +15551234567); SMS cannot be sent`,
      };
    }
    if (!('text' in message)) {
      return templateUnsupported('sms');
    }
    if (message.text.length > MAX_BODY) {
      return {
        code: 'TOO_LONG',
        reason: `the text is ${message.text.length} characters; SMS allows at most ${MAX_BODY}`,
      };
    }
    return null;
  },
};
