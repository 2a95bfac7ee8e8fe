// The provider errors the sandbox can be told to return (rejectRecipients), with the codes, HTTP
// statuses and texts from notes/providers.md. Throttling codes use HTTP 429: Meta's own status
// for them is disputed, and callers must classify by code anyway.
import type { Channel } from '../channel.js';

export interface CatalogEntry {
  code: number;
  subcode?: number;
  status: number;
  /** WhatsApp / Messenger: "(#code) title". Twilio: the message, `{to}` replaced by the number. */
  message: string;
  /** WhatsApp error_data.details. */
  details?: string;
  /** sync: answered on the send; async: the send is accepted and fails in a status callback. */
  delivery: 'sync' | 'async' | 'either';
  /** A 24-hour-window error: not raised for a template (WhatsApp) or a valid MESSAGE_TAG. */
  windowed?: boolean;
  /** Twilio async failures: the final MessageStatus. */
  finalStatus?: 'undelivered' | 'failed';
}

const WHATSAPP: CatalogEntry[] = [
  {
    code: 130429,
    status: 429,
    message: '(#130429) Rate limit hit',
    details: 'Cloud API message throughput has been reached.',
    delivery: 'sync',
  },
  {
    code: 131056,
    status: 429,
    message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
    details:
      'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
    delivery: 'sync',
  },
  {
    code: 131048,
    status: 400,
    message: '(#131048) Spam rate limit hit',
    details:
      'Message failed to send because there are restrictions on how many messages can be sent from this phone number. This may be because too many previous messages were blocked or flagged as spam.',
    delivery: 'sync',
  },
  {
    code: 4,
    status: 429,
    message: '(#4) Application request limit reached',
    details: 'The app has reached its API call rate limit.',
    delivery: 'sync',
  },
  {
    code: 80007,
    status: 429,
    message: '(#80007) Rate limit issues',
    details: 'The WhatsApp Business Account has reached its rate limit.',
    delivery: 'sync',
  },
  {
    code: 131047,
    status: 400,
    message: '(#131047) Re-engagement message',
    details:
      'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    delivery: 'either',
    windowed: true,
  },
  {
    code: 131026,
    status: 400,
    message: '(#131026) Message undeliverable',
    details:
      'Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number; the recipient has not accepted our new Terms of Service and Privacy Policy; the recipient is using an old WhatsApp version.',
    delivery: 'either',
  },
  {
    code: 131049,
    status: 400,
    message: '(#131049) This message was not delivered to maintain healthy ecosystem engagement.',
    details:
      'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
    delivery: 'either',
  },
  {
    code: 131051,
    status: 400,
    message: '(#131051) Unsupported message type',
    details: 'Messages of this type are not supported.',
    delivery: 'sync',
  },
  {
    code: 131053,
    status: 400,
    message: '(#131053) Media upload error',
    details: 'Unable to upload the media used in the message.',
    delivery: 'either',
  },
  {
    code: 131000,
    status: 500,
    message: '(#131000) Something went wrong',
    details: 'Message failed to send due to an unknown error.',
    delivery: 'sync',
  },
  {
    code: 131016,
    status: 503,
    message: '(#131016) Service unavailable',
    details: 'A service is temporarily unavailable.',
    delivery: 'sync',
  },
  {
    code: 131031,
    status: 403,
    message: '(#131031) Account has been locked',
    details:
      'The WhatsApp Business Account is restricted or disabled for violating a platform policy.',
    delivery: 'sync',
  },
  {
    code: 368,
    status: 403,
    message: '(#368) Temporarily blocked for policies violations',
    details:
      'The WhatsApp Business Account is restricted or disabled for violating a platform policy.',
    delivery: 'sync',
  },
  {
    code: 10,
    status: 403,
    message: '(#10) Permission denied',
    details: 'Permission is either not granted or has been removed.',
    delivery: 'sync',
  },
  {
    code: 132000,
    status: 400,
    message: '(#132000) Number of parameters does not match the expected number of params',
    details: 'The number of variable parameter values does not match the number of parameters.',
    delivery: 'sync',
  },
  {
    code: 132001,
    status: 400,
    message: '(#132001) Template name does not exist in the translation',
    details: 'The template does not exist in the specified language or has not been approved.',
    delivery: 'sync',
  },
  {
    code: 132015,
    status: 400,
    message: '(#132015) Template is Paused',
    details: 'The template has been paused due to low quality.',
    delivery: 'sync',
  },
  {
    code: 132016,
    status: 400,
    message: '(#132016) Template is Disabled',
    details: 'The template has been permanently disabled due to low quality.',
    delivery: 'sync',
  },
  {
    code: 100,
    status: 400,
    message: '(#100) Invalid parameter',
    details: 'The recipient was rejected as an invalid parameter.',
    delivery: 'sync',
  },
  {
    code: 190,
    status: 401,
    message: '(#190) Access token has expired',
    delivery: 'sync',
  },
];

const SMS: CatalogEntry[] = [
  {
    code: 21211,
    status: 400,
    message: "The 'To' number {to} is not a valid phone number.",
    delivery: 'sync',
  },
  {
    code: 21610,
    status: 400,
    message: 'Attempt to send to unsubscribed recipient',
    delivery: 'sync',
  },
  {
    code: 21614,
    status: 400,
    message: "'To' number is not a valid mobile number",
    delivery: 'sync',
  },
  {
    code: 21408,
    status: 400,
    message:
      "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {to}.",
    delivery: 'sync',
  },
  {
    code: 21611,
    status: 400,
    message: "This 'From' number has exceeded the maximum number of queued messages",
    delivery: 'sync',
  },
  { code: 20429, status: 429, message: 'Too Many Requests', delivery: 'sync' },
  { code: 20003, status: 401, message: 'Authenticate', delivery: 'sync' },
  { code: 20500, status: 500, message: 'Internal Server Error', delivery: 'sync' },
  { code: 20503, status: 503, message: 'Service Unavailable', delivery: 'sync' },
  {
    code: 30003,
    status: 200,
    message: 'Unreachable destination handset',
    delivery: 'async',
    finalStatus: 'undelivered',
  },
  {
    code: 30005,
    status: 200,
    message: 'Unknown destination handset',
    delivery: 'async',
    finalStatus: 'undelivered',
  },
  {
    code: 30006,
    status: 200,
    message: 'Landline or unreachable carrier',
    delivery: 'async',
    finalStatus: 'undelivered',
  },
  {
    code: 30007,
    status: 200,
    message: 'Message filtered',
    delivery: 'async',
    finalStatus: 'undelivered',
  },
  {
    code: 30008,
    status: 200,
    message: 'Unknown error',
    delivery: 'async',
    finalStatus: 'undelivered',
  },
  {
    code: 30036,
    status: 200,
    message: 'Validity period expired',
    delivery: 'async',
    finalStatus: 'failed',
  },
];

const MESSENGER: CatalogEntry[] = [
  {
    code: 551,
    subcode: 1545041,
    status: 400,
    message: "(#551) This person isn't available right now.",
    delivery: 'sync',
  },
  {
    code: 10,
    subcode: 2018278,
    status: 400,
    message: '(#10) This message is sent outside of allowed window.',
    delivery: 'sync',
    windowed: true,
  },
  {
    code: 10,
    subcode: 2018108,
    status: 400,
    message: "(#10) This person isn't receiving messages from you right now.",
    delivery: 'sync',
  },
  {
    code: 10,
    subcode: 1893063,
    status: 400,
    message: '(#10) This Page is temporarily restricted from sending messages.',
    delivery: 'sync',
  },
  {
    code: 200,
    subcode: 1545041,
    status: 400,
    message: "(#200) This person isn't receiving messages from you right now.",
    delivery: 'sync',
  },
  {
    code: 613,
    status: 429,
    message: '(#613) Calls to this api have exceeded the rate limit.',
    delivery: 'sync',
  },
  { code: 4, status: 429, message: '(#4) Application request limit reached', delivery: 'sync' },
  { code: 32, status: 429, message: '(#32) Page request limit reached', delivery: 'sync' },
  {
    code: 100,
    subcode: 2018001,
    status: 400,
    message: '(#100) No matching user found',
    delivery: 'sync',
  },
  {
    code: 2,
    status: 500,
    message: '(#2) Temporary issue due to downtime. Wait and retry the operation.',
    delivery: 'sync',
  },
  {
    code: 1200,
    status: 500,
    message: '(#1200) Temporary send message failure. Please try again later',
    delivery: 'sync',
  },
  {
    code: 190,
    status: 400,
    message: '(#190) Error validating access token: The session has been invalidated.',
    delivery: 'sync',
  },
];

const CATALOG: Record<Channel, CatalogEntry[]> = {
  whatsapp: WHATSAPP,
  sms: SMS,
  messenger: MESSENGER,
};

/** The entry for `code` (and `subcode`, when given; otherwise the code's first entry). */
export function findProviderError(
  channel: Channel,
  code: number,
  subcode?: number,
): CatalogEntry | undefined {
  return CATALOG[channel].find(
    (entry) => entry.code === code && (subcode === undefined || entry.subcode === subcode),
  );
}

export function knownErrorCodes(channel: Channel): string[] {
  return CATALOG[channel].map((entry) =>
    entry.subcode === undefined ? String(entry.code) : `${entry.code}/${entry.subcode}`,
  );
}

/** Provider code for a random transient error (errorRate) and for an outage. */
export const TRANSIENT: Record<
  Channel,
  { status: number; code: number; message: string; details?: string }
> = {
  whatsapp: {
    status: 500,
    code: 131000,
    message: '(#131000) Something went wrong',
    details: 'Message failed to send due to an unknown error.',
  },
  sms: { status: 500, code: 20500, message: 'Internal Server Error' },
  messenger: {
    status: 500,
    code: 2,
    message: '(#2) Temporary issue due to downtime. Wait and retry the operation.',
  },
};

export const OUTAGE: Record<
  Channel,
  { status: number; code: number; message: string; details?: string }
> = {
  whatsapp: {
    status: 503,
    code: 2,
    message: '(#2) Service temporarily unavailable',
    details: 'The service is temporarily unavailable. Please retry later.',
  },
  sms: { status: 503, code: 20503, message: 'Service Unavailable' },
  messenger: { status: 503, code: 2, message: '(#2) Service temporarily unavailable' },
};
