// Broadcasts: their content, audience, recipients and settings, hook key, and the execute button.
import { Injectable } from '@nestjs/common';
import type { Audience } from '@herald/contracts';
import { ErrorCode, HeraldError } from '@herald/errors';
import {
  BlockRepository,
  BroadcastRepository,
  SecretBox,
  type BroadcastContent,
  type BroadcastEntity,
  type BroadcastSettings,
  type CustomApiRecipients,
} from '@herald/persistence';
import {
  RequestBroadcastService,
  type AcceptedRun,
} from '../broadcast/request-broadcast.service.js';
import { checkAudience, checkMessages } from '../content/content.validation.js';
import { GatewayConfig } from '../gateway.config.js';
import { parseAddressList } from '../http/caller-ip.js';
import { toPage, type Page } from '../http/keyset-cursor.js';
import { BotAdminService } from './bot-admin.service.js';
import type {
  BroadcastSettingsDto,
  CreateBroadcastDto,
  UpdateBroadcastDto,
} from './dto/admin.dto.js';

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

@Injectable()
export class BroadcastAdminService {
  constructor(
    private readonly config: GatewayConfig,
    private readonly bots: BotAdminService,
    private readonly blocks: BlockRepository,
    private readonly broadcasts: BroadcastRepository,
    private readonly box: SecretBox,
    private readonly requester: RequestBroadcastService,
  ) {}

  async createBroadcast(botId: string, dto: CreateBroadcastDto): Promise<BroadcastView> {
    await this.bots.requireBot(botId);
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
    await this.bots.requireBot(botId);
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
