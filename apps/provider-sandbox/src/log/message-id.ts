// Provider message ids derived from (nonce, sequence number) instead of stored: a million ids
// would otherwise cost tens of megabytes. The nonce changes on every reset, so ids never repeat
// across test cases; the sequence number is scrambled so ids do not look consecutive.
import { randomBytes } from 'node:crypto';
import type { Channel } from '../channel.js';
import { mul32 } from './duplicate-index.js';

export function newIdNonce(): string {
  return randomBytes(12).toString('hex');
}

/** A bijection on 32-bit integers: distinct sequence numbers give distinct suffixes. */
function scramble(seq: number): string {
  let x = seq >>> 0;
  x = mul32(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
  x = mul32(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x.toString(16).padStart(8, '0');
}

/**
 * WhatsApp `wamid.…`, Twilio `SM`/`MM` + 32 hex (34 characters), Messenger `m_…`.
 * `media` selects Twilio's MMS prefix.
 */
export function formatMessageId(
  channel: Channel,
  nonce: string,
  seq: number,
  media = false,
): string {
  const tail = nonce + scramble(seq);
  switch (channel) {
    case 'whatsapp':
      return `wamid.HBgL${tail.toUpperCase()}`;
    case 'sms':
      return (media ? 'MM' : 'SM') + tail;
    case 'messenger':
      return `m_${tail}`;
  }
}
