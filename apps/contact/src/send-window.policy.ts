// Send windows at the contact stage (issue 13): a person outside their window, in their own
// local time, is held durably (held_deliveries) with the event that will message them, and the
// releaser publishes it when the window opens. Their zone: the contact's `timezone` variable,
// else their phone number's country when it has a single zone, else the bot's `timezone`, else UTC.
import { Injectable } from '@nestjs/common';
import {
  countryOfPhone,
  isTimeZone,
  nextOpening,
  singleZoneOf,
  type DeliveryRequested,
  type SendWindow,
  type TargetResolved,
} from '@herald/contracts';
import { PromiseCache } from '@herald/runtime';
import { HeldDeliveryRepository, type ContactToReach } from '@herald/persistence';
import { ContactConfig } from './contact.config.js';
import { BotSettingsCache } from './frequency-cap.js';

/** A window opening within this much of now is treated as open (no hold for a second). */
const OPEN_SLACK_MS = 1_000;

export function zoneOf(
  contact: Pick<ContactToReach, 'variables' | 'phone' | 'channel'>,
  botZone: string | undefined,
): string {
  const own = contact.variables?.timezone;
  if (own && isTimeZone(own)) return own;
  const byPhone =
    contact.channel !== 'messenger' && contact.phone
      ? singleZoneOf(countryOfPhone(contact.phone))
      : undefined;
  if (byPhone) return byPhone;
  return botZone && isTimeZone(botZone) ? botZone : 'UTC';
}

export function describeWindow(window: SendWindow): string {
  return `${window.from}–${window.to}${window.days ? ` on ${window.days.join(', ')}` : ''}`;
}

@Injectable()
export class SendWindowPolicy {
  private readonly broadcastWindows = new PromiseCache<SendWindow | null>(10_000);

  constructor(
    private readonly settings: BotSettingsCache,
    private readonly held: HeldDeliveryRepository,
    private readonly config: ContactConfig,
  ) {}

  /** The deliveries to publish now; the others are held until their window opens. */
  async holdOutside<T extends { contact: ContactToReach; event: DeliveryRequested }>(
    page: TargetResolved,
    people: T[],
  ): Promise<T[]> {
    if (people.length === 0) return people;
    const bot = await this.settings.get(page.botId);
    const own = page.broadcastId
      ? await this.broadcastWindows.get(page.broadcastId, () =>
          this.held.broadcastWindow(page.broadcastId!),
        )
      : null;
    const window = own ?? bot.sendWindow;
    if (!window) return people;
    const now = Date.now();
    const sendNow: T[] = [];
    const holds = [];
    for (const person of people) {
      const zone = zoneOf(person.contact, bot.timezone);
      const due = nextOpening(window, zone, now);
      if (due - now <= OPEN_SLACK_MS) {
        sendNow.push(person);
        continue;
      }
      const dueAt = new Date(due);
      holds.push({
        runId: page.runId,
        contactId: person.contact.id,
        botId: page.botId,
        channel: person.contact.channel,
        recipient: person.event.to,
        dueAt,
        zone,
        reason: `outside the send window ${describeWindow(window)} (${zone}); scheduled for ${dueAt.toISOString()}`,
        event: person.event,
      });
    }
    await this.held.hold(this.config.HERALD_TOPIC_PREFIX, holds);
    return sendNow;
  }
}
