// Graph API error bodies, as WhatsApp Cloud API and Messenger Send API return them.
// WhatsApp adds `error_data` and (since v16) no `error_subcode`; Messenger keeps the subcode.
import { randomBytes } from 'node:crypto';
import type { ProviderReply } from '../channel.js';

export interface GraphErrorSpec {
  status: number;
  code: number;
  /** Full message, "(#<code>) <title>" for most codes. */
  message: string;
  subcode?: number;
  /** WhatsApp only: error_data.details. */
  details?: string;
}

export function fbtraceId(): string {
  return randomBytes(12).toString('base64').replace(/[+/=]/g, 'A').slice(0, 16);
}

export function whatsappError(spec: GraphErrorSpec): ProviderReply {
  const error: Record<string, unknown> = {
    message: spec.message,
    type: 'OAuthException',
    code: spec.code,
  };
  if (spec.details !== undefined) {
    error.error_data = { messaging_product: 'whatsapp', details: spec.details };
  }
  error.fbtrace_id = fbtraceId();
  return { status: spec.status, body: { error } };
}

export function messengerError(spec: GraphErrorSpec): ProviderReply {
  const error: Record<string, unknown> = {
    message: spec.message,
    type: 'OAuthException',
    code: spec.code,
  };
  if (spec.subcode !== undefined) error.error_subcode = spec.subcode;
  error.fbtrace_id = fbtraceId();
  return { status: spec.status, body: { error } };
}

/** WhatsApp code 100: the request is malformed. `details` says which field and why. */
export function whatsappInvalid(message: string, details: string): ProviderReply {
  return whatsappError({ status: 400, code: 100, message: `(#100) ${message}`, details });
}

export function messengerInvalid(message: string, subcode?: number): ProviderReply {
  return messengerError({ status: 400, code: 100, message: `(#100) ${message}`, subcode });
}

/** Code 190, as Graph answers a request without a usable access token. */
export const INVALID_TOKEN_MESSAGE = 'Invalid OAuth access token - Cannot parse access token';
