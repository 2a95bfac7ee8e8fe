// Posts status webhooks after accepted sends, off the send path: a send only enqueues, a few
// workers post with bounded concurrency, a full queue drops (and counts) instead of growing, and
// a failing receiver is logged once per URL, never retried, never allowed to throw.
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Agent, request } from 'undici';
import { CHANNELS, type Channel } from '../channel.js';
import { SandboxConfig } from '../sandbox.config.js';
import {
  buildStatusWebhook,
  type DeliveryContext,
  type WebhookSecrets,
} from './status-webhook.builder.js';

export interface CallbackTarget {
  url: string;
  statuses: readonly string[];
  delayMs: number;
}

/** Statuses each channel can report after an accepted send, in the order they happen. */
export const CALLBACK_STATUSES: Record<Channel, readonly string[]> = {
  whatsapp: ['sent', 'delivered', 'read'],
  sms: ['sent', 'delivered'],
  messenger: ['delivered', 'read'],
};

export const DEFAULT_CALLBACK_STATUSES: readonly string[] = ['delivered'];

export interface CallbackStats {
  sent: number;
  failed: number;
  dropped: number;
  pending: number;
}

interface Job {
  context: DeliveryContext;
  url: string;
  statuses: readonly string[];
  /** Index of the status to post next. */
  next: number;
  delayMs: number;
  dueAt: number;
  generation: number;
}

/** FIFO without Array.shift's O(n): a head index, compacted now and then. */
class JobQueue {
  private items: Job[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  peek(): Job | undefined {
    return this.items[this.head];
  }

  push(job: Job): void {
    this.items.push(job);
  }

  shift(): Job | undefined {
    const job = this.items[this.head];
    if (job === undefined) return undefined;
    this.items[this.head++] = undefined as unknown as Job;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return job;
  }
}

@Injectable()
export class StatusCallbackService implements OnModuleDestroy {
  private readonly logger = new Logger('StatusCallbacks');
  private readonly agent: Agent;
  private readonly secrets: WebhookSecrets;
  private readonly concurrency: number;
  private readonly queueLimit: number;
  private readonly timeoutMs: number;
  private targets: Partial<Record<Channel, CallbackTarget>> = {};
  private readonly queues: Record<Channel, JobQueue> = {
    whatsapp: new JobQueue(),
    sms: new JobQueue(),
    messenger: new JobQueue(),
  };
  private queued = 0;
  private inFlight = 0;
  // Bumped when a channel's queue is dropped, so jobs in flight then do not post their next status.
  private readonly generations: Record<Channel, number> = { whatsapp: 0, sms: 0, messenger: 0 };
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly warned = new Set<string>();
  private counters = { sent: 0, failed: 0, dropped: 0 };

  constructor(config: SandboxConfig) {
    this.secrets = { metaAppSecret: config.metaAppSecret, twilioAuthToken: config.twilioAuthToken };
    this.concurrency = config.callbackConcurrency;
    this.queueLimit = config.callbackQueueLimit;
    this.timeoutMs = config.callbackTimeoutMs;
    this.agent = new Agent({
      connections: config.callbackConcurrency,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connect: { timeout: this.timeoutMs },
    });
  }

  /** Sets (or with null, removes) where the channel's status webhooks go. */
  configure(channel: Channel, target: CallbackTarget | null): void {
    if (target === null) {
      delete this.targets[channel];
      this.dropQueued(channel);
    } else {
      this.targets[channel] = target;
      this.warned.delete(target.url);
    }
  }

  targetsView(): Record<Channel, CallbackTarget | null> {
    const view = {} as Record<Channel, CallbackTarget | null>;
    for (const channel of CHANNELS) view[channel] = this.targets[channel] ?? null;
    return view;
  }

  /** Whether a send on this channel can lead to a webhook; saves building a context if not. */
  wants(channel: Channel, ownUrl?: string): boolean {
    return ownUrl !== undefined || this.targets[channel] !== undefined;
  }

  /** Schedules the webhooks that follow an accepted send. Never throws, never waits. */
  enqueue(context: DeliveryContext): void {
    if (this.closed) return;
    const target = this.targets[context.channel];
    const url = context.statusCallback ?? target?.url;
    if (url === undefined) return;
    if (this.queued >= this.queueLimit) {
      this.counters.dropped++;
      this.warnOnce('queue', `callback queue is full (${this.queueLimit}); dropping callbacks`);
      return;
    }
    const statuses =
      context.failure === undefined
        ? (target?.statuses ?? DEFAULT_CALLBACK_STATUSES)
        : [context.channel === 'sms' ? (context.failure.finalStatus ?? 'failed') : 'failed'];
    const delayMs = target?.delayMs ?? 0;
    this.push({
      context,
      url,
      statuses,
      next: 0,
      delayMs,
      dueAt: Date.now() + delayMs,
      generation: this.generations[context.channel],
    });
    this.pump();
  }

  /** Forgets every queued webhook (the messages they report on were cleared). */
  clearPending(): void {
    for (const channel of CHANNELS) this.dropQueued(channel);
  }

  reset(): void {
    this.targets = {};
    this.clearPending();
    this.counters = { sent: 0, failed: 0, dropped: 0 };
    this.warned.clear();
  }

  stats(): CallbackStats {
    return { ...this.counters, pending: this.queued + this.inFlight };
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    this.clearPending();
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.agent.destroy();
  }

  private push(job: Job): void {
    this.queues[job.context.channel].push(job);
    this.queued++;
  }

  private dropQueued(channel: Channel): void {
    this.queued -= this.queues[channel].length;
    this.queues[channel] = new JobQueue();
    this.generations[channel]++;
  }

  /** Starts due jobs up to the concurrency limit; sets one timer for the next job not yet due. */
  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    while (this.inFlight < this.concurrency) {
      let pick: JobQueue | undefined;
      for (const channel of CHANNELS) {
        const head = this.queues[channel].peek();
        if (head !== undefined && head.dueAt <= now) {
          const picked = pick?.peek();
          if (picked === undefined || head.dueAt < picked.dueAt) pick = this.queues[channel];
        }
      }
      if (pick === undefined) break;
      const job = pick.shift() as Job;
      this.queued--;
      this.inFlight++;
      void this.deliver(job);
    }
    if (this.inFlight < this.concurrency) this.scheduleWake(now);
  }

  private scheduleWake(now: number): void {
    let dueAt = Infinity;
    for (const channel of CHANNELS) {
      const head = this.queues[channel].peek();
      if (head !== undefined && head.dueAt < dueAt) dueAt = head.dueAt;
    }
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (dueAt === Infinity) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.pump();
      },
      Math.max(0, dueAt - now),
    );
    this.timer.unref();
  }

  private async deliver(job: Job): Promise<void> {
    // The counters as they are now: a webhook still in flight when the sandbox is reset counts in
    // the counters it started under, not in the fresh ones.
    const counters = this.counters;
    try {
      const webhook = buildStatusWebhook(
        job.context,
        job.statuses[job.next],
        job.url,
        this.secrets,
      );
      const response = await request(job.url, {
        method: 'POST',
        headers: webhook.headers,
        body: webhook.body,
        dispatcher: this.agent,
      });
      await response.body.dump();
      if (response.statusCode >= 300) throw new Error(`answered HTTP ${response.statusCode}`);
      counters.sent++;
    } catch (error) {
      if (!this.closed) {
        counters.failed++;
        this.warnOnce(job.url, `status callbacks to ${job.url} fail: ${describe(error)}`);
      }
    } finally {
      this.inFlight--;
      const more = job.next + 1 < job.statuses.length;
      if (more && !this.closed && job.generation === this.generations[job.context.channel]) {
        job.next++;
        job.dueAt = Date.now() + job.delayMs;
        this.push(job);
      }
      this.pump();
    }
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn(`${message} (further failures are only counted in /sandbox/stats)`);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${error.message}` : error.message;
  }
  return String(error);
}
