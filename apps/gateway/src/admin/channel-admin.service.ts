// A bot's provider accounts: adding one, changing its settings or credentials, listing them.
import { Injectable } from '@nestjs/common';
import {
  ACCOUNT_CONFIGS,
  ACCOUNT_RULES,
  accountConfigProblem,
  type Channel,
} from '@herald/contracts';
import { baseUrlProblem, type BaseUrlRules } from '@herald/custom-api';
import { ErrorCode, HeraldError } from '@herald/errors';
import { ACCOUNT_FIELD, ChannelRepository, type ChannelEntity } from '@herald/persistence';
import { GatewayConfig } from '../gateway.config.js';
import { BotAdminService } from './bot-admin.service.js';
import { providerBaseUrlRules } from './provider-base-url.js';
import type { CreateChannelDto } from './dto/admin.dto.js';

const channelView = (c: ChannelEntity) => ({
  id: c.id,
  type: c.type,
  priority: c.priority,
  config: c.config,
  enabled: c.enabled,
  createdAt: c.createdAt,
});

@Injectable()
export class ChannelAdminService {
  private baseUrlRules?: BaseUrlRules;

  constructor(
    private readonly config: GatewayConfig,
    private readonly bots: BotAdminService,
    private readonly channels: ChannelRepository,
  ) {}

  async createChannel(
    botId: string,
    dto: CreateChannelDto,
  ): Promise<{ id: string; type: Channel; priority: number }> {
    await this.bots.requireBot(botId);
    // Which fields are required and which are secrets (sealed) is the channel's account-config
    // schema's to say (@herald/contracts).
    const rules = ACCOUNT_RULES[dto.type];
    for (const field of rules.required) {
      if (typeof dto.config[field] !== 'string' || dto.config[field].length === 0) {
        throw HeraldError.invalid(
          `config.${field}`,
          `config.${field} is required for a ${dto.type} channel`,
          rules.fix,
        );
      }
    }
    if (rules.oneOf.length > 0 && !rules.oneOf.some((field) => dto.config[field])) {
      throw HeraldError.invalid(
        `config.${rules.oneOf[0]}`,
        `${rules.oneOf.map((field) => `config.${field}`).join(' or ')} is required for ${ACCOUNT_CONFIGS[dto.type].label}`,
        rules.fix,
      );
    }
    const problem = accountConfigProblem(dto.type, dto.config);
    if (problem) {
      throw HeraldError.invalid(problem.field, problem.message, rules.fix);
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
    const rules = ACCOUNT_RULES[row.type];
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
    const problem = accountConfigProblem(row.type, config);
    if (problem) {
      throw HeraldError.invalid(problem.field, problem.message, rules.fix);
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
    await this.bots.requireBot(botId);
    return { channels: (await this.channels.listForBot(botId)).map(channelView) };
  }
}
