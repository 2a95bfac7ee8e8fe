// Which gateway instances are alive, learnt over PostgreSQL NOTIFY (no table, no request-path
// cost): each announces itself every few seconds. Quotas split a bot's rate among the live
// instances by rank, so together they allow the configured rate, not N times it.
import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PEERS_CHANNEL, PgNotifications } from '../lookups/pg-notifications.service.js';

const ANNOUNCE_EVERY_MS = 2_000;
/** A peer not heard from in this long is gone (missed announcements, or it crashed). */
const GONE_AFTER_MS = 3 * ANNOUNCE_EVERY_MS + 500;

@Injectable()
export class GatewayPeers implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly id = randomUUID();
  private readonly seen = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private cached: { at: number; ranked: string[] } | undefined;

  constructor(private readonly notifications: PgNotifications) {
    notifications.on(PEERS_CHANNEL, (payload) => this.heard(payload));
    // After a lost connection, others may have come and gone: ask everyone again.
    notifications.onReset(() => {
      this.seen.clear();
      void this.announce('hello');
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.announce('hello');
    this.timer = setInterval(() => void this.announce('alive'), ANNOUNCE_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.announce('bye');
  }

  /** The live instances, this one included. */
  count(): number {
    return this.ranked().length;
  }

  /**
   * This instance's part of `total`: an even split, the remainder going to the first instances
   * by id, so the parts of all live instances add up to exactly `total`.
   */
  share(total: number): number {
    const ranked = this.ranked();
    const n = ranked.length;
    const rank = ranked.indexOf(this.id);
    return Math.floor(total / n) + (rank < total % n ? 1 : 0);
  }

  private ranked(): string[] {
    const now = Date.now();
    if (this.cached && now - this.cached.at < 250) return this.cached.ranked;
    for (const [id, at] of this.seen) if (now - at > GONE_AFTER_MS) this.seen.delete(id);
    const ranked = [...new Set([this.id, ...this.seen.keys()])].sort();
    this.cached = { at: now, ranked };
    return ranked;
  }

  private heard(payload: string): void {
    const [kind, id] = payload.split(':');
    if (!id || id === this.id) return;
    this.cached = undefined;
    if (kind === 'bye') {
      this.seen.delete(id);
      return;
    }
    this.seen.set(id, Date.now());
    // A newcomer learns about everyone at once instead of within one period.
    if (kind === 'hello') void this.announce('alive');
  }

  private async announce(kind: 'hello' | 'alive' | 'bye'): Promise<void> {
    await this.notifications.notify(PEERS_CHANNEL, `${kind}:${this.id}`).catch(() => undefined);
  }
}
