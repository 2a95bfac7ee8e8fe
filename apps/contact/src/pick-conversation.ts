// Which conversation (contact) a target reaches. Pure, so every identity rule is unit-tested.
//
// - A target naming its channel (Xenioo targets, set_conversation) reaches the contact on that
//   channel whose user id or phone it names, or creates one when it may.
// - A target naming identities without a channel (Chatfuel V2: customer id, phone, email,
//   Messenger id), or any target when the request gives a `priority`, reaches the conversation
//   of the first identity in priority order (default fbid → phone → email) that has one: fbid →
//   the person's Messenger conversation, phone → WhatsApp, else SMS, email → whichever of the
//   person's conversations carries that email. A given fbid or phone may create that
//   conversation when the target may create. Last, a customer id alone reaches its contact.
import {
  isPhoneChannel as isPhone,
  phoneUserId,
  type Channel,
  type Target,
} from '@herald/contracts';
import { phoneForms, type ContactEntity, type ContactUpsert } from '@herald/persistence';

export type Identity = 'fbid' | 'phone' | 'email';
export const DEFAULT_PRIORITY: readonly Identity[] = ['fbid', 'phone', 'email'];

export type Pick = { contact: ContactEntity } | { create: ContactUpsert } | { none: string };

/** Most recently active first: the person most likely still reads that conversation. */
function best(contacts: ContactEntity[]): ContactEntity | undefined {
  const time = (d: Date | null) => (d ? d.getTime() : 0);
  return [...contacts].sort(
    (a, b) => time(b.lastInboundAt) - time(a.lastInboundAt) || time(b.lastSeen) - time(a.lastSeen),
  )[0];
}

const isPhoneChannel = (c: ContactEntity) => c.channel !== 'messenger';

function byPhone(contacts: ContactEntity[], phone: string): ContactEntity[] {
  const forms = new Set(phoneForms(phone));
  return contacts.filter(
    (c) => isPhoneChannel(c) && ((c.phone !== null && forms.has(c.phone)) || forms.has(c.userId)),
  );
}

function byFbid(contacts: ContactEntity[], fbid: string): ContactEntity[] {
  return contacts.filter(
    (c) => c.channel === 'messenger' && (c.fbid === fbid || c.userId === fbid),
  );
}

function byEmail(contacts: ContactEntity[], email: string): ContactEntity[] {
  const wanted = email.toLowerCase();
  return contacts.filter((c) => c.email !== null && c.email.toLowerCase() === wanted);
}

/** Phone numbers a target names: its phone, and on WhatsApp and SMS its user id (which is the number there). */
export function phonesOf(target: Target): string[] {
  const phones = target.phone ? [target.phone] : [];
  if (target.userId && target.channel && target.channel !== 'messenger') phones.push(target.userId);
  return phones;
}

/** The contacts among `candidates` that any identity of the target names (its person). */
export function personOf(target: Target, candidates: ContactEntity[]): ContactEntity[] {
  const phones = phonesOf(target);
  return candidates.filter(
    (c) =>
      (target.userId !== undefined && c.userId === target.userId) ||
      phones.some((phone) => byPhone([c], phone).length > 0) ||
      (target.email !== undefined && byEmail([c], target.email).length > 0) ||
      (target.fbid !== undefined && byFbid([c], target.fbid).length > 0),
  );
}

function creation(
  channel: Channel,
  userId: string,
  target: Target,
  variables: Record<string, string>,
): { create: ContactUpsert } {
  return {
    create: {
      channel,
      userId,
      phone: target.phone ?? (channel === 'messenger' ? undefined : userId),
      email: target.email,
      fbid: target.fbid ?? (channel === 'messenger' ? userId : undefined),
      variables,
    },
  };
}

function describe(target: Target): string {
  return (
    target.userId ?? target.phone ?? target.email ?? target.fbid ?? target.contactId ?? 'the target'
  );
}

/** Chooses the conversation of a target without a contact id among the contacts found for its identities. */
export function pickConversation(
  target: Target,
  candidates: ContactEntity[],
  variables: Record<string, string>,
  priority?: readonly Identity[],
  /** The channels the bot has enabled accounts on (unknown: every channel counts). */
  enabled?: ReadonlySet<Channel>,
): Pick {
  const person = personOf(target, candidates);
  if (target.channel && !priority) {
    const channel = target.channel;
    const phones = phonesOf(target);
    const onChannel = person.filter((c) => c.channel === channel);
    // By user id first, else by the phone or Messenger id (legacy set_conversation's order).
    const found =
      best(onChannel.filter((c) => target.userId !== undefined && c.userId === target.userId)) ??
      best(
        onChannel.filter(
          (c) =>
            phones.some((phone) => byPhone([c], phone).length > 0) ||
            (target.fbid !== undefined && byFbid([c], target.fbid).length > 0),
        ),
      );
    if (found) return { contact: found };
    const userId =
      target.userId ??
      (target.phone && isPhone(channel) ? phoneUserId(channel, target.phone) : undefined) ??
      (channel === 'messenger' ? target.fbid : undefined);
    if (target.create && userId) return creation(channel, userId, target, variables);
    return {
      none: `no ${channel} contact ${describe(target)} exists, and the target cannot create one (it needs bot_channel and user_id or user_phone_number)`,
    };
  }

  // The first identity that reaches a channel the bot has enabled picks it (Chatfuel V2); when
  // none does, the first that reaches any conversation (its delivery then fails with the reason).
  const found =
    (enabled
      ? byPriority(target, person, variables, priority, (c) => enabled.has(c))
      : undefined) ?? byPriority(target, person, variables, priority, () => true);
  if (found) return found;
  const tried = (priority ?? DEFAULT_PRIORITY).filter((identity) => target[identity] !== undefined);
  return {
    none:
      `no conversation of ${describe(target)} is reachable` +
      (tried.length > 0 ? ` by ${tried.join(', ')}` : '') +
      (target.userId ? ' or by its customer id' : '') +
      (target.create ? '' : ', and the target may not create one'),
  };
}

/**
 * The identities in priority order, then the customer id, over conversations on channels
 * `allowed` accepts; undefined when none reaches one.
 */
function byPriority(
  target: Target,
  person: ContactEntity[],
  variables: Record<string, string>,
  priority: readonly Identity[] | undefined,
  allowed: (channel: Channel) => boolean,
): Pick | undefined {
  for (const identity of priority ?? DEFAULT_PRIORITY) {
    if (identity === 'fbid' && target.fbid && allowed('messenger')) {
      const found = best(byFbid(person, target.fbid));
      if (found) return { contact: found };
      if (target.create) return creation('messenger', target.fbid, target, variables);
    }
    if (identity === 'phone' && target.phone) {
      const matches = byPhone(person, target.phone).filter((c) => allowed(c.channel));
      const preferred =
        target.channel && target.channel !== 'messenger' ? target.channel : undefined;
      const found =
        best(matches.filter((c) => c.channel === preferred)) ??
        best(matches.filter((c) => c.channel === 'whatsapp')) ??
        best(matches.filter((c) => c.channel === 'sms'));
      if (found) return { contact: found };
      if (target.create && preferred && allowed(preferred))
        return creation(preferred, phoneUserId(preferred, target.phone), target, variables);
    }
    if (identity === 'email' && target.email) {
      const found = best(byEmail(person, target.email).filter((c) => allowed(c.channel)));
      if (found) return { contact: found };
    }
  }
  if (target.userId) {
    const found = best(
      person.filter(
        (c) =>
          c.userId === target.userId &&
          (!target.channel || c.channel === target.channel) &&
          allowed(c.channel),
      ),
    );
    if (found) return { contact: found };
  }
  return undefined;
}
