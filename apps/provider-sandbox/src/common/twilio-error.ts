// Twilio's 2010 API error body: flat {code, message, more_info, status}.
import type { ProviderReply } from '../channel.js';

export function twilioError(status: number, code: number, message: string): ProviderReply {
  return {
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}
