// The three provider dialects the sandbox speaks, and the answer every provider endpoint returns.
export const CHANNELS = ['whatsapp', 'sms', 'messenger'] as const;
export type Channel = (typeof CHANNELS)[number];

export function isChannel(value: unknown): value is Channel {
  return value === 'whatsapp' || value === 'sms' || value === 'messenger';
}

/** What a provider endpoint answers: the HTTP status and the provider-shaped body. */
export interface ProviderReply {
  status: number;
  body: unknown;
}

/**
 * The form a recipient is stored and matched in: WhatsApp by wa_id (digits only, so "+1 555…"
 * and "1555…" are one person), SMS by E.164, Messenger by the id or token as sent. SMS numbers
 * given without "+" get it back: a "+" left unencoded in a query string arrives as a space.
 */
export function normalizeRecipient(channel: Channel, raw: string): string {
  const value = raw.trim();
  switch (channel) {
    case 'whatsapp':
      return value.replace(/\D/g, '');
    case 'sms':
      return /^\d+$/.test(value) ? `+${value}` : value;
    case 'messenger':
      return value;
  }
}

/** A provider request either parses into what the sandbox records, or gets the provider's error. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reply: ProviderReply };

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
