// The operators' configuration: bots, tokens, channels, blocks and broadcasts.
import { Injectable } from '@nestjs/common';
import type { Audience, Channel } from '@herald/contracts';
import { baseUrlProblem, type BaseUrlRules } from '@herald/custom-api';
import { ErrorCode, HeraldError } from '@herald/errors';
import {
  BlockRepository,
  BotRepository,
  BroadcastRepository,
  ACCOUNT_FIELD,
  ChannelRepository,
  DeliveryRepository,
  HeldDeliveryRepository,
  RunRepository,
  SecretBox,
  type BlockEntity,
  type BotEntity,
  type BroadcastContent,
  type BroadcastEntity,
  type BroadcastSettings,
  type ChannelEntity,
  type CustomApiRecipients,
  type RunEntity,
} from '@herald/persistence';
import {
  RequestBroadcastService,
  type AcceptedRun,
} from '../broadcast/request-broadcast.service.js';
import { checkAudience, checkMessages } from '../content/content.validation.js';
import { GatewayConfig } from '../gateway.config.js';
import { parseAddressList } from '../http/caller-ip.js';
import { toPage, type Page } from '../http/keyset-cursor.js';
import { providerBaseUrlRules } from './provider-base-url.js';
import type {
  BroadcastSettingsDto,
  CreateBlockDto,
  CreateBroadcastDto,
  CreateChannelDto,
  UpdateBotDto,
  UpdateBroadcastDto,
} from './dto/admin.dto.js';

/**
 * Which config keys of each channel are secrets (sealed) and which are required. `appSecret`
 * (Meta) is the App Secret of the app the number / Page belongs to: it verifies that account's
 * webhooks (META_APP_SECRET when unset); Twilio's are verified with the account's authToken.
 */
const CHANNEL_FIELDS: Record<Channel, { required: string[]; secrets: string[]; fix: string }> = {
  whatsapp: {
    required: ['phoneNumberId', 'accessToken'],
    secrets: ['accessToken', 'appSecret'],
    fix: 'WhatsApp needs {"phoneNumberId", "accessToken"}; optional "appSecret", "baseUrl", "apiVersion", "messagesPerSecond".',
  },
  sms: {
    required: ['accountSid', 'authToken'],
    secrets: ['authToken'],
    fix: 'SMS (Twilio) needs {"accountSid", "authToken", and "from" or "messagingServiceSid"}; optional "baseUrl", "messagesPerSecond".',
  },
  messenger: {
    required: ['pageId', 'pageAccessToken'],
    secrets: ['pageAccessToken', 'appSecret'],
    fix: 'Messenger needs {"pageId", "pageAccessToken"}; optional "appSecret", "baseUrl", "apiVersion", "messagesPerSecond".',
  },
};

export interface BroadcastView {
  id: string;
  botId: string;
  name: string;
  content: BroadcastContent;
  audience: Audience | null;
  recipients: { source: 'custom_api'; endpoint: string; hasHeaders: boolean } | null;
  settings: BroadcastEntity['settings'];
  hookKey: string;
  hookUrl: string;
  createdAt: Date;
  updatedAt: Date;
}

export const botView = (bot: BotEntity) => ({
  id: bot.id,
  name: bot.name,
  rateLimitRps: bot.rateLimitRps,
  createdAt: bot.createdAt,
});
const channelView = (c: ChannelEntity) => ({
  id: c.id,
  type: c.type,
  priority: c.priority,
  config: c.config,
  enabled: c.enabled,
  createdAt: c.createdAt,
});
const blockView = (b: BlockEntity) => ({
  id: b.id,
  name: b.name,
  messages: b.messages,
  createdAt: b.createdAt,
});

@Injectable()
export class AdminService {
  private baseUrlRules?: BaseUrlRules;

  constructor(
    private readonly config: GatewayConfig,
    private readonly bots: BotRepository,
    private readonly channels: ChannelRepository,
    private readonly blocks: BlockRepository,
    private readonly broadcasts: BroadcastRepository,
    private readonly runs: RunRepository,
    private readonly box: SecretBox,
    private readonly requester: RequestBroadcastService,
    private readonly held: HeldDeliveryRepository,
    private readonly deliveries: DeliveryRepository,
  ) {}

  async requireBot(botId: string): Promise<BotEntity> {
    const bot = await this.bots.findById(botId);
    if (!bot) throw new HeraldError(ErrorCode.NotFound, `Bot ${botId} does not exist.`);
    return bot;
  }

  async listBots(afterId: string | null, limit: number): Promise<Page<ReturnType<typeof botView>>> {
    return toPage(await this.bots.list(afterId, limit + 1), limit, (b) => b.id, botView);
  }

  async updateBot(botId: string, dto: UpdateBotDto): Promise<ReturnType<typeof botView>> {
    const bot = await this.bots.update(botId, { name: dto.name, rateLimitRps: dto.rateLimitRps });
    if (!bot) throw new HeraldError(ErrorCode.NotFound, `Bot ${botId} does not exist.`);
    return botView(bot);
  }

  async createChannel(
    botId: string,
    dto: CreateChannelDto,
  ): Promise<{ id: string; type: Channel; priority: number }> {
    await this.requireBot(botId);
    const rules = CHANNEL_FIELDS[dto.type];
    for (const field of rules.required) {
      if (typeof dto.config[field] !== 'string' || dto.config[field].length === 0) {
        throw HeraldError.invalid(
          `config.${field}`,
          `config.${field} is required for a ${dto.type} channel`,
          rules.fix,
        );
      }
    }
    if (dto.type === 'sms' && !dto.config.from && !dto.config.messagingServiceSid) {
      throw HeraldError.invalid(
        'config.from',
        'config.from or config.messagingServiceSid is required for SMS',
        rules.fix,
      );
    }
    // The base URL receives the credentials: SSRF-guarded like a From-API endpoint.
    const baseUrlRefusal =
      dto.config.baseUrl === undefined
        ? undefined
        : await baseUrlProblem(
            dto.config.baseUrl,
            (this.baseUrlRules ??= providerBaseUrlRules(this.config)),
          );
    if (baseUrlRefusal)
      throw HeraldError.invalid('config.baseUrl', `config.baseUrl ${baseUrlRefusal}`, rules.fix);
    const credentials: Record<string, string> = {};
    const publicConfig: Record<string, unknown> = { baseUrl: this.defaultBaseUrl(dto.type) };
    for (const [key, value] of Object.entries(dto.config)) {
      if (rules.secrets.includes(key)) credentials[key] = String(value);
      else publicConfig[key] = value;
    }
    try {
      // A second account of a type is a failover account, after the first unless told otherwise.
      const row = await this.channels.create(
        botId,
        dto.type,
        publicConfig,
        credentials,
        dto.priority,
      );
      return { id: row.id, type: row.type, priority: row.priority };
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new HeraldError(
          ErrorCode.Conflict,
          `Bot ${botId} already has a ${dto.type} account at ${dto.priority === undefined ? 'that' : `priority ${dto.priority}`}; give another priority.`,
        );
      }
      throw error;
    }
  }

  /**
   * Changes a channel's settings or credentials (rotation; Meta's appSecret, which verifies the
   * account's webhooks). Not its account: that is another channel.
   */
  async updateChannel(
    botId: string,
    channelId: string,
    config: Record<string, unknown>,
  ): Promise<ReturnType<typeof channelView>> {
    const row = await this.channels.findForBot(botId, channelId);
    if (!row)
      throw new HeraldError(
        ErrorCode.NotFound,
        `Channel ${channelId} does not exist for bot ${botId}.`,
      );
    const rules = CHANNEL_FIELDS[row.type];
    const account = ACCOUNT_FIELD[row.type];
    if (config[account] !== undefined && config[account] !== row.config[account]) {
      throw HeraldError.invalid(
        `config.${account}`,
        `config.${account} names the provider account and cannot change`,
        'Create a channel for the other account instead.',
      );
    }
    const credentials: Record<string, string> = {};
    const publicConfig: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) {
      if (rules.secrets.includes(key)) {
        if (typeof value !== 'string' || value.length === 0 || value.length > 1024) {
          throw HeraldError.invalid(
            `config.${key}`,
            `config.${key} must be a non-empty string of at most 1024 characters`,
            rules.fix,
          );
        }
        credentials[key] = value;
      } else publicConfig[key] = value;
    }
    const baseUrlRefusal =
      config.baseUrl === undefined
        ? undefined
        : await baseUrlProblem(
            config.baseUrl,
            (this.baseUrlRules ??= providerBaseUrlRules(this.config)),
          );
    if (baseUrlRefusal)
      throw HeraldError.invalid('config.baseUrl', `config.baseUrl ${baseUrlRefusal}`, rules.fix);
    const updated = await this.channels.update(botId, channelId, {
      config: publicConfig,
      credentials,
    });
    if (!updated)
      throw new HeraldError(
        ErrorCode.NotFound,
        `Channel ${channelId} does not exist for bot ${botId}.`,
      );
    return channelView(updated);
  }

  /** Where a new channel of `type` sends when its config names no baseUrl. */
  private defaultBaseUrl(type: Channel): string {
    const perType = {
      whatsapp: this.config.PROVIDER_BASE_URL_WHATSAPP,
      sms: this.config.PROVIDER_BASE_URL_SMS,
      messenger: this.config.PROVIDER_BASE_URL_MESSENGER,
    }[type];
    return perType || this.config.PROVIDER_DEFAULT_BASE_URL;
  }

  /** The bot's channels, credentials left out. */
  async listChannels(botId: string): Promise<{ channels: Array<ReturnType<typeof channelView>> }> {
    await this.requireBot(botId);
    return { channels: (await this.channels.listForBot(botId)).map(channelView) };
  }

  async createBlock(botId: string, dto: CreateBlockDto): Promise<{ id: string; name: string }> {
    await this.requireBot(botId);
    const messages = checkMessages(dto.messages);
    try {
      const row = await this.blocks.create(botId, dto.name, messages);
      return { id: row.id, name: row.name };
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new HeraldError(
          ErrorCode.Conflict,
          `Bot ${botId} already has a block named "${dto.name}".`,
        );
      }
      throw error;
    }
  }

  async listBlocks(
    botId: string,
    afterId: string | null,
    limit: number,
  ): Promise<Page<ReturnType<typeof blockView>>> {
    await this.requireBot(botId);
    return toPage(
      await this.blocks.pageForBot(botId, afterId, limit + 1),
      limit,
      (b) => b.id,
      blockView,
    );
  }

  async createBroadcast(botId: string, dto: CreateBroadcastDto): Promise<BroadcastView> {
    await this.requireBot(botId);
    const content = await this.checkContent(botId, dto.content);
    const audience = dto.audience ? checkAudience(dto.audience) : null;
    const recipients = dto.recipients ? this.checkRecipients(dto.recipients) : null;
    const settings = dto.settings ? checkSettings(dto.settings) : undefined;
    const row = await this.broadcasts.create(botId, {
      name: dto.name,
      content,
      audience,
      recipients,
      settings,
    });
    return this.view(row);
  }

  async listBroadcasts(
    botId: string,
    afterId: string | null,
    limit: number,
  ): Promise<Page<BroadcastView>> {
    await this.requireBot(botId);
    return toPage(
      await this.broadcasts.pageForBot(botId, afterId, limit + 1),
      limit,
      (b) => b.id,
      (b) => this.view(b),
    );
  }

  async getBroadcast(broadcastId: string): Promise<BroadcastView> {
    return this.view(await this.requireBroadcast(broadcastId));
  }

  /** Changes what is given, each part validated as on creation; settings merge into the saved ones. */
  async updateBroadcast(broadcastId: string, dto: UpdateBroadcastDto): Promise<BroadcastView> {
    const row = await this.requireBroadcast(broadcastId);
    if (dto.name !== undefined) row.name = dto.name;
    if (dto.content !== undefined) row.content = await this.checkContent(row.botId, dto.content);
    if (dto.audience !== undefined)
      row.audience = dto.audience === null ? null : checkAudience(dto.audience);
    if (dto.recipients !== undefined)
      row.recipients = dto.recipients === null ? null : this.checkRecipients(dto.recipients);
    if (dto.settings !== undefined)
      row.settings = { ...row.settings, ...checkSettings(dto.settings) };
    return this.view(await this.broadcasts.save(row));
  }

  async regenerateHookKey(broadcastId: string): Promise<BroadcastView> {
    const row = await this.requireBroadcast(broadcastId);
    return this.view(await this.broadcasts.regenerateHookKey(row));
  }

  /** The console's execute button: runs the broadcast with its saved audience. */
  async run(broadcastId: string): Promise<AcceptedRun> {
    const row = await this.requireBroadcast(broadcastId);
    if (!row.settings.executeButton) {
      throw new HeraldError(
        ErrorCode.Forbidden,
        'This broadcast has its execute button disabled.',
        {
          fix: 'Set settings.executeButton to true, or call its hook.',
        },
      );
    }
    if (!row.settings.enabled)
      throw new HeraldError(ErrorCode.Forbidden, 'This broadcast is disabled.');
    return this.requester.request({
      botId: row.botId,
      broadcastId: row.id,
      source: 'execute',
      ...(row.settings.singleContact ? { options: { singleContact: true } } : {}),
    });
  }

  async getRun(runId: string): Promise<Record<string, unknown>> {
    const run = await this.runs.findById(runId);
    if (!run) {
      throw new HeraldError(ErrorCode.NotFound, `Run ${runId} does not exist (yet).`, {
        fix: 'A run appears a moment after its request is accepted; retry shortly.',
      });
    }
    // People held by their send window (issue 13) count as `scheduled` until it opens.
    const view = runView(run);
    // People sent through a failover account (provider failover) count as failedOver; people
    // handed on to their broadcast's next channel (channel fallback) as fellBack.
    const [{ scheduled }, { failedOver, fellBack }] = await Promise.all([
      this.held.countsForRun(runId),
      this.deliveries.policyCounts(runId),
    ]);
    return {
      ...view,
      counts: { ...(view.counts as Record<string, number>), scheduled, failedOver, fellBack },
    };
  }

  private async requireBroadcast(broadcastId: string): Promise<BroadcastEntity> {
    const row = await this.broadcasts.findById(broadcastId);
    if (!row) throw new HeraldError(ErrorCode.NotFound, `Broadcast ${broadcastId} does not exist.`);
    return row;
  }

  private async checkContent(
    botId: string,
    content: Record<string, unknown>,
  ): Promise<BroadcastContent> {
    const keys = Object.keys(content);
    if (keys.length !== 1 || (keys[0] !== 'blockId' && keys[0] !== 'messages')) {
      throw HeraldError.invalid(
        'content',
        'content must be {"blockId": "..."} or {"messages": [...]}, one of the two.',
      );
    }
    if (content.blockId !== undefined) {
      if (
        typeof content.blockId !== 'string' ||
        content.blockId.length === 0 ||
        content.blockId.length > 200
      ) {
        throw HeraldError.invalid(
          'content.blockId',
          'content.blockId must be the id or name of a block.',
        );
      }
      const block = await this.blocks.findByIdOrName(botId, content.blockId);
      if (!block)
        throw HeraldError.invalid(
          'content.blockId',
          `Block "${content.blockId}" does not exist for this bot.`,
        );
      return { blockId: block.id };
    }
    return { messages: checkMessages(content.messages, 'content.messages') };
  }

  private checkRecipients(recipients: Record<string, unknown>): CustomApiRecipients {
    if (recipients.source !== 'custom_api') {
      throw HeraldError.invalid('recipients.source', 'recipients.source must be "custom_api"');
    }
    if (
      typeof recipients.endpoint !== 'string' ||
      !/^https?:\/\/\S+$/.test(recipients.endpoint) ||
      recipients.endpoint.length > 2048
    ) {
      throw HeraldError.invalid(
        'recipients.endpoint',
        'recipients.endpoint must be an http(s) URL',
      );
    }
    const headers = recipients.headers;
    if (
      headers !== undefined &&
      (typeof headers !== 'object' ||
        headers === null ||
        Array.isArray(headers) ||
        Object.values(headers).some((v) => typeof v !== 'string'))
    ) {
      throw HeraldError.invalid(
        'recipients.headers',
        'recipients.headers must be an object of string values',
      );
    }
    return {
      source: 'custom_api',
      endpoint: recipients.endpoint,
      ...(headers ? { headersSealed: this.box.seal(headers) } : {}),
    };
  }

  private view(row: BroadcastEntity): BroadcastView {
    const hookKey = this.broadcasts.hookKeyOf(row);
    return {
      id: row.id,
      botId: row.botId,
      name: row.name,
      content: row.content,
      audience: row.audience,
      recipients: row.recipients
        ? {
            source: 'custom_api',
            endpoint: row.recipients.endpoint,
            hasHeaders: Boolean(row.recipients.headersSealed),
          }
        : null,
      settings: row.settings,
      hookKey,
      hookUrl: `${this.config.HERALD_PUBLIC_URL.replace(/\/$/, '')}/hooks/${hookKey}`,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}

/** The given settings, with allowedHosts checked to be IPs or CIDRs. */
function checkSettings(dto: BroadcastSettingsDto): Partial<BroadcastSettings> {
  const settings = Object.fromEntries(
    Object.entries(dto).filter(([, v]) => v !== undefined),
  ) as Partial<BroadcastSettings>;
  if (settings.allowedHosts) {
    const { invalid } = parseAddressList(settings.allowedHosts);
    if (invalid.length > 0) {
      throw HeraldError.invalid(
        'settings.allowedHosts',
        `settings.allowedHosts has entries that are not IPs or CIDRs: ${invalid
          .slice(0, 5)
          .map((e) => JSON.stringify(e))
          .join(', ')}`,
        'Use e.g. "203.0.113.7" or "203.0.113.0/24"; an empty list allows any caller.',
      );
    }
    settings.allowedHosts = settings.allowedHosts.map((h) => h.trim());
  }
  return settings;
}

export function runView(run: RunEntity): Record<string, unknown> {
  return {
    id: run.id,
    broadcastId: run.broadcastId,
    source: run.source,
    status: run.status,
    ...(run.reason ? { reason: run.reason } : {}),
    createdAt: run.createdAt,
    scheduledFor: run.scheduledFor,
    finishedAt: run.finishedAt,
    counts: {
      targeted: run.targeted,
      sent: run.sent,
      delivered: run.delivered,
      read: run.read,
      failed: run.failed,
      skipped: run.skipped,
    },
  };
}
