// Channel fallback (issue 13): which failures mean "this channel cannot reach the person here"
// (so their broadcast's next channel may), and the request that hands them back to the contact
// service.
import type { Channel, DeliveryFallback, DeliveryRequested } from '@herald/contracts';

/**
 * Codes that say the person is not reachable on this channel, not that the message or the
 * account is wrong: WhatsApp 131026 (not a WhatsApp user, or cannot receive), 131047 and the
 * rule WINDOW_CLOSED (the 24-hour window is closed and no template was given), 131030 (not an
 * allowed recipient), INVALID_RECIPIENT (a number this channel cannot address); Twilio 21211
 * (invalid number), 21614 (cannot receive SMS), 30003 (unreachable), 30005 (unknown), 30006
 * (landline). An SMS STOP (21610) is the person's choice, never routed around.
 */
const NOT_HERE: Readonly<Record<Channel, ReadonlySet<string>>> = {
  whatsapp: new Set(['131026', '131047', '131030', 'WINDOW_CLOSED', 'INVALID_RECIPIENT']),
  sms: new Set(['21211', '21614', '30003', '30005', '30006', 'INVALID_RECIPIENT']),
  // Messenger ids are not phone numbers: nothing to reach them by elsewhere.
  messenger: new Set(),
};

export function notHere(channel: Channel, code: string): boolean {
  return NOT_HERE[channel].has(code);
}

/**
 * The channel to hand a person on to, or undefined: only a first delivery (never a fallback
 * itself), with nothing of it sent yet, refused for a "not here" reason, whose broadcast lists a
 * next channel the bot has enabled.
 */
export function fallbackTarget(
  request: DeliveryRequested,
  code: string,
  sentMessages: number,
  enabled: ReadonlySet<Channel>,
): Channel | undefined {
  if (request.fallbackFrom || sentMessages > 0 || !notHere(request.channel, code)) return undefined;
  return (request.fallback ?? []).find(
    (channel) => channel !== request.channel && enabled.has(channel),
  );
}

/** WhatsApp and SMS address people by their number; the fallback names it in E.164. */
export function phoneOf(request: DeliveryRequested): string {
  return request.to.startsWith('+') ? request.to : `+${request.to}`;
}

export function fallbackEvent(
  request: DeliveryRequested,
  next: Channel,
  code: string,
  reason: string,
  at: string,
): DeliveryFallback {
  return {
    runId: request.runId,
    botId: request.botId,
    contactId: request.contactId,
    channel: request.channel,
    next,
    phone: phoneOf(request),
    messages: request.messages,
    variables: request.variables,
    ...(request.payload !== undefined ? { payload: request.payload } : {}),
    code: code.slice(0, 64),
    reason: reason.slice(0, 1024),
    at,
  };
}
