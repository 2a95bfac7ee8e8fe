import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  Topics,
  deliveryBatchTopicFor,
  normalizeTargetPhones,
  resultBatches,
  whatsappIdOf,
  type Channel,
  type DeliveryRequested,
  type DeliveryResult,
  type Target,
  type TargetResolved,
} from '@herald/contracts';
import { EventPublisher } from '@herald/kafka';
import { PromiseCache } from '@herald/runtime';
import {
  BroadcastLookupRepository,
  ChannelAccountRepository,
  ContactRepository,
  RunListingRepository,
  phoneForms,
  type ContactToReach,
  type ContactUpdate,
  type ContactUpsert,
} from '@herald/persistence';
import { batchRecords, recipientOf, type BatchShared } from './delivery-batches.js';
import { BotSettingsCache, FrequencyCapService } from './frequency-cap.js';
import { phonesOf, pickConversation } from './pick-conversation.js';
import { SendWindowPolicy } from './send-window.policy.js';

/** How long a bot's enabled channels are reused before they are read again. */
const ENABLED_CHANNELS_CACHE_MS = 10_000;

interface Indexed {
  target: Target;
  /** Position in the page: names the target in skip results. */
  index: number;
}

type Skip = Indexed & { reason: string; contactId?: string };

function describeTarget(t: Target): string {
  return t.userId ?? t.phone ?? t.email ?? t.fbid ?? t.contactId ?? 'unknown';
}

/** The address of a contact on its channel. */
export function addressOf(contact: ContactToReach): string {
  if (contact.channel === 'messenger') return contact.fbid ?? contact.userId;
  // The phone is stored in E.164; a WhatsApp id is that number without its plus.
  if (contact.channel === 'whatsapp') return whatsappIdOf(contact.phone ?? contact.userId);
  return contact.phone ?? contact.userId;
}

/** Built-in variables every message can use, beside the contact's own. */
function variablesOf(contact: ContactToReach): Record<string, string> {
  return {
    ...contact.variables,
    user_id: contact.userId,
    bot_channel: contact.channel,
    ...(contact.phone ? { user_phone_number: contact.phone } : {}),
    ...(contact.email ? { email: contact.email } : {}),
  };
}

/**
 * The id a skip is counted by, derived from what it is about (run, page, position): its item's
 * `id` in delivery.result.v2 (the CloudEvents id of its delivery.result.v1 event before), so a
 * skip republished after a crash, or on v2 after v1, counts once.
 */
export function skipEventId(runId: string, page: number, index: number): string {
  const hex = createHash('sha1').update(`herald:skip:${runId}:${page}:${index}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Finds or creates the contacts of one page of targets in a few batched statements (one lookup
 * by every identity the page names, one update of variables and identities, one upsert of new
 * contacts), then asks each person's channel to message them, keyed by contact id. Opted-out
 * people, people listed twice and targets reaching no conversation are skipped with a reason.
 */
@Injectable()
export class ResolveContactsService {
  constructor(
    private readonly contacts: ContactRepository,
    private readonly listings: RunListingRepository,
    private readonly channels: ChannelAccountRepository,
    private readonly publisher: EventPublisher,
    private readonly botSettings: BotSettingsCache,
    private readonly frequencyCap: FrequencyCapService,
    private readonly sendWindows: SendWindowPolicy,
    private readonly broadcasts: BroadcastLookupRepository,
  ) {}

  /** Per broadcast: its settings.fallback (null: none), reused for a few seconds. */
  private readonly broadcastFallback = new PromiseCache<Channel[] | null>(
    ENABLED_CHANNELS_CACHE_MS,
  );

  /** Per bot: its enabled channel types, one read shared by concurrent pages. */
  private readonly enabledChannels = new PromiseCache<ReadonlySet<Channel>>(
    ENABLED_CHANNELS_CACHE_MS,
  );

  private enabledOf(botId: string): Promise<ReadonlySet<Channel>> {
    return this.enabledChannels.get(
      botId,
      async () => new Set(await this.channels.enabledTypes(botId)),
    );
  }

  /**
   * `fallback`: this page is one person handed back by a delivery service (channel fallback):
   * their deliveries carry the marker (so they never fall back again) and the first channel's
   * variables under the new contact's own.
   */
  async handlePage(
    page: TargetResolved,
    fallback?: {
      from: NonNullable<DeliveryRequested['fallbackFrom']>;
      variables: Record<string, string>;
    },
  ): Promise<void> {
    const { resolved, skipped } = await this.resolve(page);
    const fallbackOrder = fallback ? undefined : await this.fallbackOrderOf(page);
    // People found by identity may be named again by a later page (the same uid twice in a
    // From-API list, a phone and a user id of one person): the first page to list them sends.
    const listedEarlier = await this.listings.recordPage(
      page.runId,
      page.page,
      resolved.filter(({ target }) => !target.contactId).map(({ contact }) => contact.id),
    );
    const toSend: typeof resolved = [];
    const seen = new Set<string>();
    for (const { contact, target, index } of resolved) {
      if (listedEarlier.has(contact.id)) {
        skipped.push({
          target,
          index,
          contactId: contact.id,
          reason: `${describeTarget(target)} is listed more than once in this run (an earlier page named them); messaged once`,
        });
        continue;
      }
      if (contact.optedOutAt) {
        skipped.push({
          target,
          index,
          contactId: contact.id,
          reason: `${describeTarget(target)} opted out of messages on ${contact.channel}`,
        });
        continue;
      }
      if (seen.has(contact.id)) {
        skipped.push({
          target,
          index,
          contactId: contact.id,
          reason: `${describeTarget(target)} is listed more than once in this page; messaged once`,
        });
        continue;
      }
      seen.add(contact.id);
      toSend.push({ contact, target, index });
    }
    // Policies that may still skip a person (issue 13), each with its reason.
    const { allowed, capped } = await this.frequencyCap.apply(page, toSend, ({ target }) =>
      describeTarget(target),
    );
    for (const { target, index, contact, reason } of capped)
      skipped.push({ target, index, contactId: contact.id, reason });
    const now = await this.sendWindows.holdOutside(
      page,
      allowed.map(({ contact, target }) => {
        const event = this.deliveryFor(page, contact, target);
        if (fallback) {
          event.fallbackFrom = fallback.from;
          event.variables = { ...fallback.variables, ...event.variables };
        } else {
          // Channel fallback: the channels after this one in the broadcast's order.
          const at = fallbackOrder?.indexOf(contact.channel) ?? -1;
          const next = at === -1 ? [] : fallbackOrder!.slice(at + 1);
          if (next.length > 0) event.fallback = next;
        }
        return { contact, event };
      }),
    );
    await this.publishFirstTries(page, now);
    if (skipped.length > 0) {
      const at = new Date().toISOString();
      // Each skip is counted by its id, derived from the target: published again, it counts once.
      const results = skipped.map(
        ({ target, index, reason, contactId }): DeliveryResult & { id: string } => ({
          id: skipEventId(page.runId, page.page, index),
          runId: page.runId,
          botId: page.botId,
          ...((contactId ?? target.contactId) ? { contactId: contactId ?? target.contactId } : {}),
          recipient: describeTarget(target).slice(0, 256),
          ...(target.channel ? { channel: target.channel } : {}),
          status: 'skipped',
          reason: reason.slice(0, 1024),
          at,
        }),
      );
      await this.publisher.publish(
        Topics.DeliveryResultBatch,
        resultBatches(results).map((data) => ({ key: data.runId, data })),
      );
    }
  }

  /**
   * First tries go out batched (`delivery.requested.<channel>.v2`): per channel, one record per
   * partition the people's contact ids hash to, cut by count and bytes (see batchRecords).
   */
  private async publishFirstTries(
    page: TargetResolved,
    now: ReadonlyArray<{ contact: ContactToReach; event: DeliveryRequested }>,
  ): Promise<void> {
    const perChannel = new Map<Channel, DeliveryRequested[]>();
    for (const { contact, event } of now) {
      let list = perChannel.get(contact.channel);
      if (!list) perChannel.set(contact.channel, (list = []));
      list.push(event);
    }
    await Promise.all(
      [...perChannel].map(async ([channel, requests]) => {
        const topic = deliveryBatchTopicFor(channel);
        const shared = this.sharedOf(page, channel);
        const partitions = await this.publisher.partitionsOf(
          topic,
          requests.map((r) => r.contactId),
        );
        const records = batchRecords(
          shared,
          requests.map((request, i) => ({
            recipient: recipientOf(request, shared),
            partition: partitions[i],
          })),
        );
        await this.publisher.publish(topic, records);
      }),
    );
  }

  /** What the people of a page share on one channel (deliveryFor's page-wide fields). */
  private sharedOf(page: TargetResolved, channel: Channel): BatchShared {
    return {
      runId: page.runId,
      botId: page.botId,
      channel,
      messages: page.messages,
      ...(page.payload !== undefined ? { payload: page.payload } : {}),
      ...(page.options?.messagingTag ? { messagingTag: page.options.messagingTag } : {}),
      ...(page.options?.notificationMessagesToken
        ? { notificationMessagesToken: page.options.notificationMessagesToken }
        : {}),
      ...(page.options?.oneTimeNotifToken
        ? { oneTimeNotifToken: page.options.oneTimeNotifToken }
        : {}),
    };
  }

  /** The page's channel fallback order: its options', else its broadcast's settings.fallback. */
  private async fallbackOrderOf(page: TargetResolved): Promise<Channel[] | undefined> {
    if (page.options?.fallback) return page.options.fallback;
    if (!page.broadcastId) return undefined;
    const broadcastId = page.broadcastId;
    const order = await this.broadcastFallback.get(broadcastId, async () => {
      const settings = (await this.broadcasts.findById(broadcastId))?.settings as
        { fallback?: unknown } | undefined;
      const given = settings?.fallback;
      return Array.isArray(given) &&
        given.every((c): c is Channel => c === 'whatsapp' || c === 'sms')
        ? given
        : null;
    });
    return order ?? undefined;
  }

  private deliveryFor(
    page: TargetResolved,
    contact: ContactToReach,
    target: Target,
  ): DeliveryRequested {
    return {
      runId: page.runId,
      botId: page.botId,
      contactId: contact.id,
      channel: contact.channel,
      to: addressOf(contact),
      messages: target.message ? [{ text: target.message }] : page.messages,
      variables: variablesOf(contact),
      ...(page.payload !== undefined ? { payload: page.payload } : {}),
      ...(contact.lastInboundAt ? { lastInboundAt: contact.lastInboundAt.toISOString() } : {}),
      ...(page.options?.messagingTag ? { messagingTag: page.options.messagingTag } : {}),
      ...(page.options?.notificationMessagesToken
        ? { notificationMessagesToken: page.options.notificationMessagesToken }
        : {}),
      ...(page.options?.oneTimeNotifToken
        ? { oneTimeNotifToken: page.options.oneTimeNotifToken }
        : {}),
      attempt: 0,
    };
  }

  private async resolve(
    page: TargetResolved,
  ): Promise<{ resolved: Array<Indexed & { contact: ContactToReach }>; skipped: Skip[] }> {
    const skipped: Skip[] = [];
    const shared = page.setVariables ?? {};
    // Numbers in E.164 whoever published the page (From-API uids, internal services); one that
    // cannot be made valid is skipped with the reason.
    const { defaultCountry } = await this.botSettings.get(page.botId);
    const indexed: Indexed[] = [];
    page.targets.forEach((given, index) => {
      // From-API rows (their own message) name people by uid, which on WhatsApp/SMS is the number.
      const result = normalizeTargetPhones(given, defaultCountry, given.message !== undefined);
      if ('target' in result) indexed.push({ target: result.target, index });
      else
        skipped.push({
          target: given,
          index,
          reason: `${describeTarget(given)}: ${result.problem.reason}`,
        });
    });
    const byId = indexed.filter(({ target }) => target.contactId);
    const byIdentity = indexed.filter(({ target }) => !target.contactId);

    // Each chosen contact; the changes targets bring (only those that change something, so an
    // audience page of known contacts costs one SELECT); new contacts to create.
    const chosen: Array<Indexed & { contact: ContactToReach }> = [];
    const updates: ContactUpdate[] = [];
    const change = (update: ContactUpdate) => {
      const { id: _id, variables, ...identities } = update;
      if (
        Object.keys(variables).length > 0 ||
        Object.values(identities).some((v) => v !== undefined)
      )
        updates.push(update);
    };
    const creates: Array<Indexed & { row: ContactUpsert }> = [];

    if (byId.length > 0) {
      const found = new Map(
        (
          await this.contacts.findByIds(
            page.botId,
            byId.map(({ target }) => target.contactId!),
          )
        ).map((c) => [c.id, c]),
      );
      for (const entry of byId) {
        const contact = found.get(entry.target.contactId!);
        if (!contact) {
          skipped.push({ ...entry, reason: `contact ${entry.target.contactId} no longer exists` });
          continue;
        }
        chosen.push({ ...entry, contact });
        change({ id: contact.id, variables: { ...shared, ...entry.target.variables } });
      }
    }

    if (byIdentity.length > 0) {
      const targets = byIdentity.map(({ target }) => target);
      // Targets that let Herald choose the channel (V2 identities, a priority) choose among
      // the channels the bot has enabled first.
      const priority = page.options?.priority;
      const enabled = targets.some((t) => !t.channel || priority)
        ? await this.enabledOf(page.botId)
        : undefined;
      const candidates = await this.contacts.findByIdentities(page.botId, {
        userIds: targets.flatMap((t) => (t.userId ? [t.userId] : [])),
        phones: targets.flatMap(phonesOf),
        emails: targets.flatMap((t) => (t.email ? [t.email] : [])),
        fbids: targets.flatMap((t) => (t.fbid ? [t.fbid] : [])),
      });
      for (const entry of byIdentity) {
        const { target } = entry;
        const variables = { ...shared, ...target.variables };
        const pick = pickConversation(target, candidates, variables, priority, enabled);
        if ('none' in pick) {
          skipped.push({ ...entry, reason: pick.none });
        } else if ('create' in pick) {
          creates.push({ ...entry, row: pick.create });
        } else {
          chosen.push({ ...entry, contact: pick.contact });
          // The identities a target gives update its contact (V2: customer_phone/email/fbid).
          change({
            id: pick.contact.id,
            variables,
            // A phone is replaced only by another number, never by the same one written
            // differently (the stored form is the address messages go to).
            ...(target.phone &&
            pick.contact.channel !== 'messenger' &&
            !phoneForms(target.phone).includes(pick.contact.phone ?? '')
              ? { phone: target.phone }
              : {}),
            ...(target.email && target.email.toLowerCase() !== pick.contact.email?.toLowerCase()
              ? { email: target.email }
              : {}),
            ...(target.fbid &&
            pick.contact.channel === 'messenger' &&
            target.fbid !== pick.contact.fbid
              ? { fbid: target.fbid }
              : {}),
          });
        }
      }
    }

    const [updated, created] = await Promise.all([
      this.contacts.updateMany(page.botId, updates),
      this.contacts.upsertMany(
        page.botId,
        creates.map((c) => c.row),
      ),
    ]);
    const byContactId = new Map(updated.map((c) => [c.id, c]));
    const byKey = new Map(created.map((c) => [`${c.channel}/${c.userId}`, c]));
    const resolved: Array<Indexed & { contact: ContactToReach }> = [];
    const wanted = new Set(updates.map((u) => u.id));
    for (const entry of chosen) {
      if (!wanted.has(entry.contact.id)) resolved.push(entry);
      else if (byContactId.has(entry.contact.id))
        resolved.push({ ...entry, contact: byContactId.get(entry.contact.id)! });
      else skipped.push({ ...entry, reason: `contact ${entry.contact.id} no longer exists` });
    }
    for (const entry of creates) {
      const contact = byKey.get(`${entry.row.channel}/${entry.row.userId}`);
      if (contact) resolved.push({ ...entry, contact });
    }
    resolved.sort((a, b) => a.index - b.index);
    return { resolved, skipped };
  }
}
