// Provider failover (issue 13): which of a bot's accounts of a channel sends, and which
// refusals pass the same message on to the next account at once.
import type { SendFailure } from './channel-sender.js';

/**
 * The index of the first account, from `from` on, whose breaker is not open; -1 when every one
 * is. Always searched from the top for a new message, so traffic returns to the first account
 * as soon as its breaker lets a call through again (half-open: its probe).
 */
export function nextAccount<T>(
  accounts: readonly T[],
  isOpen: (account: T) => boolean,
  from = 0,
): number {
  for (let i = from; i < accounts.length; i += 1) if (!isOpen(accounts[i])) return i;
  return -1;
}

/**
 * Network errors after which the provider may have accepted the message (the request left,
 * the answer never came): retried later on the retry topics like before, never re-sent through
 * another account at once, or a person could get it twice.
 */
const MAYBE_SENT = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'NETWORK',
  'SEND_ERROR',
]);

/**
 * Whether the account refused the message for the account's own reasons (an outage answer,
 * throughput, authentication, suspension, quota: failure `account`) in a way that says the
 * provider did not send it. Then the next account may send the same message without anyone
 * receiving it twice.
 */
export function failsOver(outcome: SendFailure): boolean {
  return outcome.failure === 'account' && !MAYBE_SENT.has(outcome.code);
}
