import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Channel, DeliveryRequested } from '@herald/contracts';
import type { DeliveryRowStatus } from '../entities/delivery.entity.js';
import { lockPaceQueues } from './paced-delivery.repository.js';
import { countMoved } from './run-counts.js';

export interface DeliveryKey {
  runId: string;
  contactId: string;
}

export interface DeliveryClaim extends DeliveryKey {
  botId: string;
  channel: Channel;
}

export interface SentDelivery extends DeliveryKey {
  providerMessageId: string | null;
  /** SMS: billed segments of what was sent. */
  segments?: number | null;
  /** The channels row (provider account) that sent. */
  accountId?: string | null;
  /** Why the accounts before it did not send (failover); null when the first one did. */
  failover?: string | null;
}

/** A row as a redelivered event finds it (the claim refused it). */
export interface DeliveryState extends DeliveryKey {
  botId: string;
  status: DeliveryRowStatus;
  providerMessageId: string | null;
  reason: string | null;
  code: string | null;
  segments: number | null;
  /** Channel fallback: the channel this person was handed on to (this row could not reach them). */
  fallbackTo?: string | null;
}

/** A provider status about one message (by its id) or about everything sent to a person up to a watermark. */
export interface StatusUpdate {
  status: 'delivered' | 'read' | 'failed';
  providerMessageId?: string;
  /**
   * The provider account the verified webhook named: only deliveries sent through a channel of
   * that account match (a message id another account reports never moves this one's rows).
   */
  account?: string;
  /** The bots the verified webhook speaks for: only their deliveries match (absent: any bot's). */
  botIds?: readonly string[];
  /** Messenger watermark: Page id and PSID of the person, and the time. */
  watermark?: { pageId: string; psid: string; at: Date };
  code?: string | null;
  reason?: string | null;
}

/** A delivery a status update matched, with its status after the update. */
export interface StatusMatch extends DeliveryKey {
  botId: string;
  channel: Channel;
  status: DeliveryRowStatus;
  providerMessageId: string | null;
  reason: string | null;
  code: string | null;
  /** Set when a Messenger watermark (Page, PSID) moved the row. */
  watermark?: { pageId: string; psid: string };
}

/** Statuses a provider status may move a row from: statuses never go backwards, failed is final. */
const MOVES_FROM: Record<StatusUpdate['status'], DeliveryRowStatus[]> = {
  delivered: ['sent'],
  read: ['sent', 'delivered'],
  failed: ['sent'],
};

/** Meta's watermark clock and ours differ a little: a message recorded this soon after it still counts. */
const WATERMARK_SLACK_MS = 2_000;

export interface FailedDelivery extends DeliveryKey {
  reason: string;
  code: string | null;
}

/** A person parked by their account's pacing (PacedDeliveryRepository releases them). */
export interface ParkedDelivery extends DeliveryKey {
  channel: Channel;
  /** The deployment's topic prefix: its releaser publishes only its own. */
  topicPrefix: string;
  /** The pacing queue they join (one per provider account, or per recipient). */
  paceKey: string;
  /** The queue's spacing: its rate's interval. */
  intervalMs: number;
  /** How long the queue in front of them was expected to take (used when nobody is parked in it yet). */
  waitMs: number;
  /** Why they wait, for the row: PACED (a long pacing queue), BREAKER_OPEN (their account is failing). */
  code: string;
  reason: string;
  /** The event that will message them, as it is to be published when due. */
  event: DeliveryRequested;
}

const keyOf = (k: DeliveryKey) => `${k.runId}/${k.contactId}`;

/** How long a row may stay `sending` before another consumer may take it over (crash recovery). */
const SENDING_LEASE_SECONDS = 60;
/** How often each delivery process ticks the lease clock (tickLeaseClock). */
export const LEASE_CLOCK_TICK_MS = 5_000;
/** No tick for this long: the delivery services could not reach the database (an outage). */
const LEASE_CLOCK_GAP_SECONDS = 15;

/**
 * The delivery services' deliveries: claim a row before sending, record what the send did, apply
 * provider statuses. The gateway reads them through DeliveryReportRepository.
 */
@Injectable()
export class DeliveryRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Claims rows before sending: new rows, rows waiting for a retry (`pending`), and rows whose
   * sender died mid-send (lease expired). Rows already sent or failed are not returned, so a
   * redelivered event sends nobody twice. Returns the claimed keys.
   *
   * A lease counts as expired only while the lease clock (tickLeaseClock) has ticked without a
   * gap for a whole lease: after a database outage, when no sender could renew, a sender still
   * alive gets a whole lease of reachable database to record what the provider accepted before
   * another consumer may send those people again.
   */
  async claim(claims: DeliveryClaim[]): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const unique = [...new Map(claims.map((c) => [keyOf(c), c])).values()];
    const rows: Array<{ run_id: string; contact_id: string }> = await this.db.query(
      `INSERT INTO deliveries (run_id, contact_id, bot_id, channel, status, attempts)
       SELECT u.run_id, u.contact_id, u.bot_id, u.channel, 'sending', 1
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[]) AS u(run_id, contact_id, bot_id, channel)
       ON CONFLICT (run_id, contact_id) DO UPDATE SET status = 'sending', attempts = deliveries.attempts + 1, updated_at = now()
        WHERE deliveries.status = 'pending'
           OR (deliveries.status = 'sending' AND deliveries.updated_at < now() - make_interval(secs => $5)
               AND EXISTS (SELECT 1 FROM delivery_lease_clock c
                            WHERE c.ticked_at > now() - make_interval(secs => $6)
                              AND c.live_since < now() - make_interval(secs => $5)))
       RETURNING run_id, contact_id`,
      [
        unique.map((c) => c.runId),
        unique.map((c) => c.contactId),
        unique.map((c) => c.botId),
        unique.map((c) => c.channel),
        SENDING_LEASE_SECONDS,
        LEASE_CLOCK_GAP_SECONDS,
      ],
    );
    return new Set(rows.map((r) => keyOf({ runId: r.run_id, contactId: r.contact_id })));
  }

  /** Rows sent: each counts as sent in its run as it moves (countMoved); rows no longer `sending` are left as they are. */
  async markSent(rows: SentDelivery[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `WITH moved AS (
         UPDATE deliveries d SET status = 'sent', provider_message_id = u.pmid, segments = u.segments, reason = NULL, code = NULL,
                account_id = u.account_id, failover = u.failover, sent_at = now(), updated_at = now()
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::uuid[], $6::text[])
                AS u(run_id, contact_id, pmid, segments, account_id, failover)
          WHERE d.run_id = u.run_id AND d.contact_id = u.contact_id AND d.status = 'sending'
         RETURNING d.run_id, d.contact_id
       )${countMoved(1, 0)}
       SELECT id FROM counted`,
      [
        rows.map((r) => r.runId),
        rows.map((r) => r.contactId),
        rows.map((r) => r.providerMessageId),
        rows.map((r) => r.segments ?? null),
        rows.map((r) => r.accountId ?? null),
        rows.map((r) => r.failover ?? null),
      ],
    );
  }

  /**
   * Channel fallback: the first channel could not reach these people; their rows fail with the
   * reason and name the channel they are handed on to. Nothing is announced for them: the next
   * channel's result counts the person.
   */
  async markFellBack(rows: Array<FailedDelivery & { to: string }>): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `UPDATE deliveries d SET status = 'failed', reason = u.reason, code = u.code, fallback_to = u.next, updated_at = now()
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[]) AS u(run_id, contact_id, reason, code, next)
        WHERE d.run_id = u.run_id AND d.contact_id = u.contact_id AND d.status IN ('sending', 'pending')`,
      [
        rows.map((r) => r.runId),
        rows.map((r) => r.contactId),
        rows.map((r) => r.reason),
        rows.map((r) => r.code),
        rows.map((r) => r.to),
      ],
    );
  }

  /** Channel fallback: these rows are a fallback delivery; why the first channel could not reach the person. */
  async markFallbackFrom(rows: Array<DeliveryKey & { from: string }>): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `UPDATE deliveries d SET fallback_from = u.origin
         FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u(run_id, contact_id, origin)
        WHERE d.run_id = u.run_id AND d.contact_id = u.contact_id AND d.fallback_from IS NULL`,
      [rows.map((r) => r.runId), rows.map((r) => r.contactId), rows.map((r) => r.from)],
    );
  }

  /** Rows failed for good: each counts as failed in its run as it moves (countMoved). */
  async markFailed(rows: FailedDelivery[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `WITH moved AS (
         UPDATE deliveries d SET status = 'failed', reason = u.reason, code = u.code, updated_at = now()
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS u(run_id, contact_id, reason, code)
          WHERE d.run_id = u.run_id AND d.contact_id = u.contact_id AND d.status IN ('sending', 'pending')
         RETURNING d.run_id, d.contact_id
       )${countMoved(0, 1)}
       SELECT id FROM counted`,
      [
        rows.map((r) => r.runId),
        rows.map((r) => r.contactId),
        rows.map((r) => r.reason),
        rows.map((r) => r.code),
      ],
    );
  }

  /** A transient failure: the row waits for its retry and can be claimed again. */
  async markPending(rows: FailedDelivery[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `UPDATE deliveries d SET status = 'pending', reason = u.reason, code = u.code, updated_at = now()
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS u(run_id, contact_id, reason, code)
        WHERE d.run_id = u.run_id AND d.contact_id = u.contact_id AND d.status = 'sending'`,
      [
        rows.map((r) => r.runId),
        rows.map((r) => r.contactId),
        rows.map((r) => r.reason),
        rows.map((r) => r.code),
      ],
    );
  }

  /**
   * Parks claimed people behind their pacing queue, without an attempt: each row still `sending`
   * goes back to `pending` (code PACED) and its event joins paced_deliveries, due one interval
   * after the queue's last parked person (or after the expected wait, when nobody is parked in it),
   * in one statement. A row no longer `sending` is not parked. A person of a run stopped meanwhile
   * (the delivery service reads run statuses through a cache) is due at once, to be ended now.
   */
  async park(rows: ParkedDelivery[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction(async (tx) => {
      // One parker at a time per queue, each reading the tail the one before it wrote: batches
      // parking side by side (partitions, replicas) would otherwise read the same tail and give
      // out the same turns, and the releaser would then hand people back faster than the
      // account sends.
      await lockPaceQueues(
        tx,
        rows.map((r) => ({ topicPrefix: r.topicPrefix, paceKey: r.paceKey })),
      );
      await this.parkLocked(tx, rows);
    });
  }

  private async parkLocked(tx: EntityManager, rows: ParkedDelivery[]): Promise<void> {
    await tx.query(
      `WITH u AS (
         SELECT u.*, row_number() OVER (PARTITION BY u.topic_prefix, u.pace_key ORDER BY u.ord) AS n,
                min(u.wait_ms) OVER (PARTITION BY u.topic_prefix, u.pace_key) AS ahead_ms
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::text[], $9::text[], $10::jsonb[])
                WITH ORDINALITY AS u(run_id, contact_id, channel, topic_prefix, pace_key, interval_ms, wait_ms, code, reason, event, ord)
       ),
       moved AS (
         UPDATE deliveries d SET status = 'pending', reason = u.reason, code = u.code,
                attempts = GREATEST(d.attempts - 1, 0), updated_at = now()
           FROM u
          WHERE d.run_id = u.run_id AND d.contact_id = u.contact_id AND d.status = 'sending'
         RETURNING d.run_id, d.contact_id
       ),
       tails AS (
         SELECT p.topic_prefix, p.pace_key, max(p.due_at) AS tail
           FROM paced_deliveries p JOIN (SELECT DISTINCT topic_prefix, pace_key FROM u) q
             ON p.topic_prefix = q.topic_prefix AND p.pace_key = q.pace_key
          GROUP BY p.topic_prefix, p.pace_key
       )
       INSERT INTO paced_deliveries (run_id, contact_id, channel, topic_prefix, pace_key, interval_ms, due_at, event)
       SELECT u.run_id, u.contact_id, u.channel, u.topic_prefix, u.pace_key, u.interval_ms,
              CASE WHEN r.status IN ('cancelled', 'failed') THEN now()
                   ELSE GREATEST(now() + make_interval(secs => u.ahead_ms / 1000), t.tail)
                          + make_interval(secs => u.n * u.interval_ms / 1000)
              END,
              u.event
         FROM u JOIN moved m ON m.run_id = u.run_id AND m.contact_id = u.contact_id
         LEFT JOIN tails t ON t.topic_prefix = u.topic_prefix AND t.pace_key = u.pace_key
         LEFT JOIN runs r ON r.id = u.run_id
       ON CONFLICT (run_id, contact_id) DO UPDATE
         SET due_at = EXCLUDED.due_at, pace_key = EXCLUDED.pace_key, interval_ms = EXCLUDED.interval_ms,
             event = EXCLUDED.event`,
      [
        rows.map((r) => r.runId),
        rows.map((r) => r.contactId),
        rows.map((r) => r.channel),
        rows.map((r) => r.topicPrefix),
        rows.map((r) => r.paceKey),
        rows.map((r) => r.intervalMs),
        rows.map((r) => r.waitMs),
        rows.map((r) => r.code),
        rows.map((r) => r.reason),
        rows.map((r) => JSON.stringify(r.event)),
      ],
    );
  }

  /**
   * Gives claimed rows back without an attempt (shutdown, an open breaker): they wait as
   * `pending`, and the redelivered event claims them again.
   */
  async release(keys: DeliveryKey[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db.query(
      `UPDATE deliveries d SET status = 'pending', attempts = GREATEST(d.attempts - 1, 0), updated_at = now()
         FROM unnest($1::uuid[], $2::uuid[]) AS u(run_id, contact_id)
        WHERE d.run_id = u.run_id AND d.contact_id = u.contact_id AND d.status = 'sending'`,
      [keys.map((k) => k.runId), keys.map((k) => k.contactId)],
    );
  }

  /**
   * One tick of the lease clock (every delivery process, every LEASE_CLOCK_TICK_MS). A tick after
   * a gap (no tick for LEASE_CLOCK_GAP_SECONDS: the database was out of reach, or every delivery
   * process was down) starts the clock's live time again, and with it a whole lease for every
   * sender to renew or record before its rows may be taken over. A missing row (the table is
   * UNLOGGED: emptied by a database crash) starts it too.
   */
  async tickLeaseClock(): Promise<void> {
    await this.db.query(
      `INSERT INTO delivery_lease_clock AS c (id, ticked_at, live_since) VALUES (true, now(), now())
       ON CONFLICT (id) DO UPDATE SET ticked_at = now(),
              live_since = CASE WHEN c.ticked_at < now() - make_interval(secs => $1) THEN now() ELSE c.live_since END`,
      [LEASE_CLOCK_GAP_SECONDS],
    );
  }

  /** Keeps the lease of rows still being worked on (paced sends may wait longer than the lease). */
  async renewLease(keys: DeliveryKey[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db.query(
      `UPDATE deliveries d SET updated_at = now()
         FROM unnest($1::uuid[], $2::uuid[]) AS u(run_id, contact_id)
        WHERE d.run_id = u.run_id AND d.contact_id = u.contact_id AND d.status = 'sending'`,
      [keys.map((k) => k.runId), keys.map((k) => k.contactId)],
    );
  }

  /** The rows as they stand, for events the claim refused (already final, or being sent elsewhere). */
  async statesOf(keys: DeliveryKey[]): Promise<DeliveryState[]> {
    if (keys.length === 0) return [];
    const rows: Array<{
      run_id: string;
      contact_id: string;
      bot_id: string;
      status: DeliveryRowStatus;
      provider_message_id: string | null;
      reason: string | null;
      code: string | null;
      segments: number | null;
      fallback_to: string | null;
    }> = await this.db.query(
      `SELECT d.run_id, d.contact_id, d.bot_id, d.status, d.provider_message_id, d.reason, d.code, d.segments, d.fallback_to
         FROM deliveries d JOIN unnest($1::uuid[], $2::uuid[]) AS u(run_id, contact_id)
           ON d.run_id = u.run_id AND d.contact_id = u.contact_id`,
      [keys.map((k) => k.runId), keys.map((k) => k.contactId)],
    );
    return rows.map((r) => ({
      runId: r.run_id,
      contactId: r.contact_id,
      botId: r.bot_id,
      status: r.status,
      providerMessageId: r.provider_message_id,
      reason: r.reason,
      code: r.code,
      segments: r.segments,
      fallbackTo: r.fallback_to,
    }));
  }

  /**
   * Applies provider statuses of one channel, one statement per status (in delivered → read →
   * failed order), moving rows only forward. Returns every delivery the updates name, with its
   * status afterwards, whether or not this call moved it: a redelivered status finds its rows
   * already moved, and its results are published again (the run's ledger counts delivered and
   * read once). A row moved to failed leaves sent for failed in its run's counts as it moves.
   * Watermark updates return only what they moved.
   */
  async applyStatuses(channel: Channel, updates: StatusUpdate[]): Promise<StatusMatch[]> {
    const matches: StatusMatch[] = [];
    for (const status of ['delivered', 'read', 'failed'] as const) {
      const byId = updates.filter((u) => u.status === status && u.providerMessageId);
      if (byId.length > 0) matches.push(...(await this.applyById(channel, status, byId)));
      const byWatermark = updates.filter(
        (u) => u.status === status && !u.providerMessageId && u.watermark,
      );
      if (byWatermark.length > 0)
        matches.push(...(await this.applyByWatermark(status, byWatermark)));
    }
    return matches;
  }

  private async applyById(
    channel: Channel,
    status: StatusUpdate['status'],
    updates: StatusUpdate[],
  ): Promise<StatusMatch[]> {
    const unique = [
      ...new Map(
        updates.map((u) => [
          `${u.providerMessageId!}\u0000${u.account ?? ''}\u0000${u.botIds?.join(',') ?? '*'}`,
          u,
        ]),
      ).values(),
    ];
    // A delivery belongs to one of its bot's accounts of its type (several with failover).
    // And to a bot the webhook's signature speaks for.
    const ofAccount = `(x.account IS NULL OR EXISTS (
           SELECT 1 FROM channels ch WHERE ch.bot_id = d.bot_id AND ch.type = d.channel
              AND ch.config->>(CASE d.channel WHEN 'whatsapp' THEN 'phoneNumberId' WHEN 'sms' THEN 'accountSid' ELSE 'pageId' END) = x.account))
           AND (x.bots IS NULL OR d.bot_id::text = ANY(string_to_array(x.bots, ',')))`;
    const rows: MatchRow[] = await this.db.query(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $7::text[], $8::text[]) AS x(pmid, code, reason, account, bots)
       ), moved AS (
         UPDATE deliveries d SET status = $4, updated_at = now(),
                code = CASE WHEN $4 = 'failed' THEN x.code ELSE d.code END,
                reason = CASE WHEN $4 = 'failed' THEN x.reason ELSE d.reason END
           FROM input x
          WHERE d.provider_message_id = x.pmid AND d.channel = $5 AND d.status = ANY($6::text[]) AND ${ofAccount}
         RETURNING d.run_id, d.contact_id, d.status, d.code, d.reason
       )${status === 'failed' ? countMoved(-1, 1) : ''}
       SELECT d.run_id, d.contact_id, d.bot_id, d.channel, d.provider_message_id,
              COALESCE(m.status, d.status) AS status, COALESCE(m.code, d.code) AS code, COALESCE(m.reason, d.reason) AS reason
         FROM deliveries d
         JOIN input x ON d.provider_message_id = x.pmid
         LEFT JOIN moved m ON m.run_id = d.run_id AND m.contact_id = d.contact_id
        WHERE d.channel = $5 AND ${ofAccount}`,
      [
        unique.map((u) => u.providerMessageId!),
        unique.map((u) => u.code ?? null),
        unique.map((u) => u.reason ?? null),
        status,
        channel,
        MOVES_FROM[status],
        unique.map((u) => u.account ?? null),
        unique.map((u) => (u.botIds ? u.botIds.join(',') : null)),
      ],
    );
    return rows.map(toMatch);
  }

  /**
   * Messenger watermarks: every message sent to the person up to the time (Page → bot → contact).
   * Returns only the rows it moved: a watermark covers all of a person's history, which is not
   * worth re-announcing each time.
   */
  private async applyByWatermark(
    status: StatusUpdate['status'],
    updates: StatusUpdate[],
  ): Promise<StatusMatch[]> {
    const latest = new Map<
      string,
      { watermark: NonNullable<StatusUpdate['watermark']>; botIds?: readonly string[] }
    >();
    for (const { watermark, botIds } of updates) {
      const key = `${watermark!.pageId}\u0000${watermark!.psid}\u0000${botIds?.join(',') ?? '*'}`;
      const seen = latest.get(key);
      if (!seen || seen.watermark.at < watermark!.at)
        latest.set(key, { watermark: watermark!, botIds });
    }
    const marks = [...latest.values()];
    const rows: MatchRow[] = await this.db.query(
      `WITH marks AS (
         SELECT c.id AS contact_id, x.page_id, x.psid, x.at + make_interval(secs => $5::double precision / 1000) AS until
           FROM unnest($1::text[], $2::text[], $3::timestamptz[], $7::text[]) AS x(page_id, psid, at, bots)
           JOIN channels ch ON ch.type = 'messenger' AND ch.config->>'pageId' = x.page_id
            AND (x.bots IS NULL OR ch.bot_id::text = ANY(string_to_array(x.bots, ',')))
           JOIN contacts c ON c.bot_id = ch.bot_id AND c.channel = 'messenger' AND (c.user_id = x.psid OR c.fbid = x.psid)
       ), moved AS (
         UPDATE deliveries d SET status = $4, updated_at = now()
           FROM marks m
          WHERE d.contact_id = m.contact_id AND d.status = ANY($6::text[]) AND d.sent_at <= m.until
         RETURNING d.run_id, d.contact_id, d.bot_id, d.channel, d.provider_message_id, d.status, d.code, d.reason, m.page_id, m.psid
       )${status === 'failed' ? countMoved(-1, 1) : ''}
       -- A SELECT, so the driver answers rows (an UPDATE answers [rows, count]).
       SELECT * FROM moved`,
      [
        marks.map((m) => m.watermark.pageId),
        marks.map((m) => m.watermark.psid),
        marks.map((m) => m.watermark.at),
        status,
        WATERMARK_SLACK_MS,
        MOVES_FROM[status],
        marks.map((m) => (m.botIds ? m.botIds.join(',') : null)),
      ],
    );
    return rows.map(toMatch);
  }
}

interface MatchRow {
  run_id: string;
  contact_id: string;
  bot_id: string;
  channel: Channel;
  provider_message_id: string | null;
  status: DeliveryRowStatus;
  code: string | null;
  reason: string | null;
  page_id?: string;
  psid?: string;
}

function toMatch(r: MatchRow): StatusMatch {
  return {
    ...(r.page_id !== undefined && r.psid !== undefined
      ? { watermark: { pageId: r.page_id, psid: r.psid } }
      : {}),
    runId: r.run_id,
    contactId: r.contact_id,
    botId: r.bot_id,
    channel: r.channel,
    status: r.status,
    providerMessageId: r.provider_message_id,
    code: r.code,
    reason: r.reason,
  };
}

export const deliveryKey = keyOf;
