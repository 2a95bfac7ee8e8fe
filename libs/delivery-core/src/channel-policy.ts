import {
  templateRefusal,
  type DeliveryRequested,
  type Message,
  type TextOnlyChannel,
} from '@herald/contracts';
import type { ChannelAccount } from '@herald/persistence';

/** Why a message may not be sent, for a person to act on; a permanent failure. */
export interface PolicyRefusal {
  code: string;
  reason: string;
}

/** Channel rules checked before each message is sent (no I/O). */
export interface ChannelPolicy {
  check(
    request: DeliveryRequested,
    message: Message,
    account: ChannelAccount,
    now: number,
  ): PolicyRefusal | null;
}

export const CHANNEL_POLICY = Symbol('CHANNEL_POLICY');

/** A template on a text-only channel (the contracts' one rule), refused before the call. */
export function templateUnsupported(channel: TextOnlyChannel): PolicyRefusal {
  return { code: 'UNSUPPORTED', reason: templateRefusal(channel) };
}

export const WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Whether Herald enforces the 24-hour customer-service window for this WhatsApp or Messenger
 * account before calling the provider: the account's own `enforceCustomerServiceWindow` setting
 * (`enforceWindow`, its earlier name, is still read), on when it says nothing. Never inferred from
 * where the account sends: an account that may message people outside the window (a local
 * sandbox, a provider that enforces it itself) says so explicitly.
 */
export function enforcesWindow(account: ChannelAccount): boolean {
  const flag = account.config.enforceCustomerServiceWindow ?? account.config.enforceWindow;
  if (typeof flag === 'boolean') return flag;
  if (flag === 'true' || flag === 'false') return flag === 'true';
  return true;
}

/** Milliseconds since the person last wrote, or null when they never did (as far as Herald knows). */
export function sinceLastInbound(request: DeliveryRequested, now: number): number | null {
  if (!request.lastInboundAt) return null;
  const at = Date.parse(request.lastInboundAt);
  return Number.isNaN(at) ? null : now - at;
}

export function describeSince(since: number | null): string {
  if (since === null) return 'has never written to this bot';
  const hours = Math.floor(since / 3_600_000);
  return `last wrote ${hours} hours ago`;
}
