import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Channel } from '@herald/contracts';
import { ChannelEntity } from '../entities/channel.entity.js';
import { SecretBox } from '../secret-box.js';

/** Where each channel type keeps the provider account id its webhooks name. */
export const ACCOUNT_FIELD: Record<Channel, string> = {
  whatsapp: 'phoneNumberId',
  sms: 'accountSid',
  messenger: 'pageId',
};

/** A channel's stored secret that signs its provider's webhooks (undefined: none stored). */
export interface WebhookSigner {
  botId: string;
  channelId: string;
  secret: string | undefined;
}

/** The gateway's channels: the admin API writes them, webhooks find the account that signs. */
@Injectable()
export class ChannelRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly box: SecretBox,
  ) {}

  /**
   * Adds an account. Without `priority` it goes after the bot's accounts of this type (a
   * failover account); two at one priority are refused by the database (23505).
   */
  async create(
    botId: string,
    type: Channel,
    config: Record<string, unknown>,
    credentials: Record<string, string>,
    priority?: number,
  ): Promise<ChannelEntity> {
    const next =
      priority ??
      Number(
        (
          await this.db.query<Array<{ next: number | string }>>(
            `SELECT COALESCE(max(priority) + 1, 0) AS next FROM channels WHERE bot_id = $1 AND type = $2`,
            [botId, type],
          )
        )[0]?.next ?? 0,
      );
    const entity = this.db.getRepository(ChannelEntity).create({
      id: randomUUID(),
      botId,
      type,
      priority: next,
      config,
      credentialsSealed: this.box.seal(credentials),
      enabled: true,
    });
    return this.db.getRepository(ChannelEntity).save(entity);
  }

  findForBot(botId: string, channelId: string): Promise<ChannelEntity | null> {
    return this.db.getRepository(ChannelEntity).findOneBy({ id: channelId, botId });
  }

  /**
   * Merges `config` into the channel's public settings and `credentials` into its sealed ones
   * (rotating a token, setting an app secret); null when the bot has no such channel.
   */
  async update(
    botId: string,
    channelId: string,
    patch: { config: Record<string, unknown>; credentials: Record<string, string> },
  ): Promise<ChannelEntity | null> {
    const row = await this.findForBot(botId, channelId);
    if (!row) return null;
    row.config = { ...row.config, ...patch.config };
    if (Object.keys(patch.credentials).length > 0) {
      row.credentialsSealed = this.box.seal({
        ...this.box.open<Record<string, string>>(row.credentialsSealed),
        ...patch.credentials,
      });
    }
    return this.db.getRepository(ChannelEntity).save(row);
  }

  listForBot(botId: string): Promise<ChannelEntity[]> {
    return this.db
      .getRepository(ChannelEntity)
      .find({ where: { botId }, order: { priority: 'ASC', createdAt: 'ASC' } });
  }

  /**
   * The enabled channels that name this provider account, with the credential that signs its
   * webhooks (Twilio: authToken; Meta: appSecret). Not scoped to a bot: a webhook names an
   * account, never a bot, and it is the account's own secret that proves who sent it.
   */
  async webhookSigners(
    type: Channel,
    account: string,
    credential: 'authToken' | 'appSecret',
  ): Promise<WebhookSigner[]> {
    const rows: Array<{ id: string; bot_id: string; credentials_sealed: string }> =
      await this.db.query(
        `SELECT id, bot_id, credentials_sealed FROM channels WHERE type = $1 AND enabled AND config->>$2 = $3`,
        [type, ACCOUNT_FIELD[type], account],
      );
    return rows.map((row) => {
      const secret = this.box.open<Record<string, string>>(row.credentials_sealed)[credential];
      return {
        botId: row.bot_id,
        channelId: row.id,
        secret: typeof secret === 'string' && secret !== '' ? secret : undefined,
      };
    });
  }
}
