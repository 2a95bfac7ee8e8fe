// Shared by the delivery e2e suites: the whole stack with delivery settings of their own, bots
// with channels, broadcasts published as an internal service would, the run and delivery rows
// as PostgreSQL holds them, the sandbox's fault and inspection API, and provider webhooks signed
// as each provider signs them.
import { createHmac, randomUUID } from 'node:crypto';
import pg from 'pg';
import { Topics, type BroadcastRequested, type Channel } from '@herald/contracts';
import { eventually, json, startStack, testDatabaseUrl, type Stack } from '@herald/testing';
import type { ServiceName } from '../../../apps/herald/src/services.js';
import { KafkaProbe } from '../../utils/kafka.js';

/** What the sandbox's webhooks and the gateway agree on outside production. */
export const SANDBOX_META_SECRET = 'sandbox-app-secret';
export const SANDBOX_TWILIO_TOKEN = 'sandbox-auth-token';

export interface RunRow {
  status: string;
  targeted: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  skipped: number;
}

export interface DeliveryRow {
  contact_id: string;
  status: string;
  attempts: number;
  reason: string | null;
  code: string | null;
  segments: number | null;
  provider_message_id: string | null;
}

export interface SandboxMessage {
  to: string;
  text: string | null;
  type: string;
  count: number;
  account: string;
  /** When the sandbox received it (ISO 8601). */
  receivedAt: string;
}

export class DeliveryHarness {
  readonly probe: KafkaProbe;
  readonly db: pg.Pool;

  private constructor(readonly stack: Stack) {
    this.probe = new KafkaProbe(stack.prefix);
    this.db = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
  }

  static async start(
    env: NodeJS.ProcessEnv = {},
    services?: ServiceName[],
  ): Promise<DeliveryHarness> {
    return new DeliveryHarness(await startStack(services, env));
  }

  async stop(): Promise<void> {
    await this.stack.stop();
    await this.probe.cleanup();
    await this.db.end();
  }

  /** A bot with the given channels (config as the admin API takes it); returns its id. */
  async bot(channels: Partial<Record<Channel, Record<string, unknown>>>): Promise<string> {
    const bot = await this.stack.admin<{ id: string }>('POST', '/admin/bots', {
      name: `delivery ${randomUUID().slice(0, 8)}`,
    });
    if (bot.status !== 201) throw new Error(`bot not created: ${JSON.stringify(bot.body)}`);
    for (const [type, config] of Object.entries(channels)) {
      // The 24-hour window is on by default; suites that test it say so (enforceWindow: true).
      const window =
        type === 'sms' || 'enforceWindow' in config || 'enforceCustomerServiceWindow' in config
          ? {}
          : { enforceCustomerServiceWindow: false };
      const created = await this.stack.admin('POST', `/admin/bots/${bot.body.id}/channels`, {
        type,
        config: { ...window, ...config },
      });
      if (created.status !== 201)
        throw new Error(`${type} channel not created: ${JSON.stringify(created.body)}`);
    }
    return bot.body.id;
  }

  /** Publishes a BroadcastRequested as an internal service would; returns the run id. */
  async broadcast(
    request: Omit<BroadcastRequested, 'runId' | 'source' | 'requestedAt'>,
  ): Promise<string> {
    const runId = randomUUID();
    const data: BroadcastRequested = {
      runId,
      source: 'event',
      requestedAt: new Date().toISOString(),
      ...request,
    };
    await this.probe.produceEvents(Topics.BroadcastRequested, [{ key: runId, data }]);
    return runId;
  }

  async run(runId: string): Promise<RunRow | undefined> {
    const { rows } = await this.db.query<RunRow>(
      'SELECT status, targeted, sent, delivered, read, failed, skipped FROM runs WHERE id = $1',
      [runId],
    );
    return rows[0];
  }

  /** Waits until the run satisfies `done` (default: completed). */
  async runWhen(
    runId: string,
    done: (run: RunRow) => boolean = (r) => r.status === 'completed',
    what = 'the run to complete',
    timeoutMs = 30_000,
  ): Promise<RunRow> {
    let last: RunRow | undefined;
    try {
      return await eventually(
        async () => {
          last = await this.run(runId);
          return last && done(last) ? last : undefined;
        },
        what,
        timeoutMs,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; run now: ${JSON.stringify(last)}`, {
        cause: error,
      });
    }
  }

  /**
   * The run's rows once all `count` of them are sent or ended as cancelled (a cancel mid-run),
   * waiting at most `timeoutMs`.
   */
  cancelledRows(
    runId: string,
    count: number,
    what: string,
    timeoutMs: number,
  ): Promise<DeliveryRow[]> {
    return eventually(
      async () => {
        const all = await this.deliveries(runId);
        const ended = all.filter(
          (d) => d.provider_message_id !== null || d.code === 'RUN_CANCELLED',
        );
        return ended.length === count ? all : undefined;
      },
      what,
      timeoutMs,
    );
  }

  async deliveries(runId: string): Promise<DeliveryRow[]> {
    const { rows } = await this.db.query<DeliveryRow>(
      'SELECT contact_id, status, attempts, reason, code, segments, provider_message_id FROM deliveries WHERE run_id = $1',
      [runId],
    );
    return rows;
  }

  async contact(
    botId: string,
    channel: Channel,
    userId: string,
  ): Promise<{ id: string; opted_out_at: Date | null; last_inbound_at: Date | null } | undefined> {
    const { rows } = await this.db.query(
      'SELECT id, opted_out_at, last_inbound_at FROM contacts WHERE bot_id = $1 AND channel = $2 AND user_id = $3',
      [botId, channel, userId],
    );
    return rows[0] as
      { id: string; opted_out_at: Date | null; last_inbound_at: Date | null } | undefined;
  }

  // ---- the provider sandbox --------------------------------------------------------------

  async sandbox<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await json<T>(
      await fetch(`${this.stack.sandboxUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    if (response.status >= 300)
      throw new Error(
        `sandbox ${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`,
      );
    return response.body;
  }

  /** Every message the sandbox accepted on a channel (for one recipient when given). */
  async messages(channel: Channel, to?: string): Promise<SandboxMessage[]> {
    const all: SandboxMessage[] = [];
    let after = 0;
    for (;;) {
      const query = new URLSearchParams({
        channel,
        limit: '1000',
        after: String(after),
        ...(to ? { to } : {}),
      });
      const page = await this.sandbox<{
        messages: Array<SandboxMessage & { seq: number }>;
        next: number | null;
      }>('GET', `/sandbox/messages?${query}`);
      all.push(...page.messages);
      if (page.next === null || page.messages.length === 0) return all;
      after = page.next;
    }
  }

  faults(channel: Channel, patch: Record<string, unknown>): Promise<unknown> {
    return this.sandbox('POST', '/sandbox/faults', { channel, ...patch });
  }

  async stats(
    channel: Channel,
  ): Promise<{ total: number; unique: number; duplicates: number; faulted: number }> {
    const stats = await this.sandbox<{
      byChannel: Record<
        Channel,
        { total: number; unique: number; duplicates: number; faulted: number }
      >;
    }>('GET', '/sandbox/stats');
    return stats.byChannel[channel];
  }

  /** Points the sandbox's status webhooks of a channel at the gateway. */
  callbacks(channel: Channel, statuses: string[]): Promise<unknown> {
    const path = channel === 'sms' ? 'twilio' : channel;
    return this.sandbox('POST', '/sandbox/callbacks', {
      channel,
      url: `${this.stack.gatewayUrl}/webhooks/${path}`,
      statuses,
    });
  }

  // ---- provider webhooks, signed as the providers sign them ----------------------------

  async metaWebhook(
    path: 'whatsapp' | 'messenger',
    payload: unknown,
    secret = SANDBOX_META_SECRET,
  ): Promise<{ status: number; body: unknown }> {
    const body = JSON.stringify(payload);
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    return json(
      await fetch(`${this.stack.gatewayUrl}/webhooks/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
        body,
      }),
    );
  }

  async twilioWebhook(
    params: Record<string, string>,
    token = SANDBOX_TWILIO_TOKEN,
  ): Promise<{ status: number; text: string }> {
    const url = `${this.stack.gatewayUrl}/webhooks/twilio`;
    let data = url;
    for (const name of Object.keys(params).sort()) data += name + params[name];
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': createHmac('sha1', token).update(data).digest('base64'),
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, text: await response.text() };
  }

  /** A WhatsApp inbound text webhook from `from` to the phone number id. */
  whatsappInbound(phoneNumberId: string, from: string, at = new Date()): unknown {
    return {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '100000000000001',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550000000', phone_number_id: phoneNumberId },
                contacts: [{ profile: { name: 'Ada' }, wa_id: from }],
                messages: [
                  {
                    from,
                    id: `wamid.${randomUUID()}`,
                    timestamp: String(Math.floor(at.getTime() / 1000)),
                    type: 'text',
                    text: { body: 'hi' },
                  },
                ],
              },
            },
          ],
        },
      ],
    };
  }
}
