// Channel fallback (issue 13): whether a failure hands the person on to their broadcast's next
// channel (each channel's app names the codes that mean "this channel cannot reach them"), and
// the request that hands them back to the contact service.
import type { Channel, DeliveryFallback, DeliveryRequested } from '@herald/contracts';

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
  /** The channel's "not here" codes (its app's DeliveryChannelDefinition.notHere). */
  notHere: ReadonlySet<string>,
): Channel | undefined {
  if (request.fallbackFrom || sentMessages > 0 || !notHere.has(code)) return undefined;
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
