import { Injectable } from '@nestjs/common';
import { normalizeTargetPhones } from '@herald/contracts';
import { HeraldError } from '@herald/errors';
import {
  GatewayContactRepository,
  type ContactEntity,
  type ContactUpsert,
} from '@herald/persistence';
import { toPage, type Page } from '../http/keyset-cursor.js';
import { BotAdminService } from './bot-admin.service.js';
import { parseContactImport } from './contact-import.parser.js';

const contactView = (c: ContactEntity) => ({
  id: c.id,
  channel: c.channel,
  userId: c.userId,
  phone: c.phone,
  email: c.email,
  fbid: c.fbid,
  variables: c.variables,
  firstSeen: c.firstSeen,
  lastSeen: c.lastSeen,
  lastInboundAt: c.lastInboundAt,
  optedOutAt: c.optedOutAt,
});

/** Operators' bulk import of contacts and paging through them. */
@Injectable()
export class ContactAdminService {
  constructor(
    private readonly bots: BotAdminService,
    private readonly contacts: GatewayContactRepository,
  ) {}

  async import(botId: string, body: unknown): Promise<{ created: number; updated: number }> {
    const bot = await this.bots.requireBot(botId);
    return this.contacts.importMany(
      botId,
      normalizeImportPhones(parseContactImport(body), bot.settings?.defaultCountry),
    );
  }

  async list(
    botId: string,
    afterId: string | null,
    limit: number,
  ): Promise<Page<ReturnType<typeof contactView>>> {
    await this.bots.requireBot(botId);
    return toPage(
      await this.contacts.page(botId, afterId, limit + 1),
      limit,
      (c) => c.id,
      contactView,
    );
  }
}

/**
 * Imported numbers in E.164 (on WhatsApp the user id is the WhatsApp id derived from it), so an
 * import matches the contacts the APIs create; unusable numbers refuse the import, each named.
 */
export function normalizeImportPhones(
  rows: ContactUpsert[],
  defaultCountry: string | undefined,
): ContactUpsert[] {
  const problems: Array<{ field: string; reason: string }> = [];
  const out = rows.map((row, i) => {
    const result = normalizeTargetPhones(
      { userId: row.userId, channel: row.channel, ...(row.phone ? { phone: row.phone } : {}) },
      defaultCountry,
    );
    if ('problem' in result) {
      problems.push({
        field: `[${i}].${result.problem.field === 'phone' ? 'phone' : 'user_id'}`,
        reason: result.problem.reason,
      });
      return row;
    }
    const { userId, phone } = result.target;
    return { ...row, userId: userId ?? row.userId, ...(phone ? { phone } : {}) };
  });
  if (problems.length > 0) {
    throw HeraldError.invalid(
      problems[0].field,
      problems
        .slice(0, 20)
        .map((p) => `${p.field}: ${p.reason}`)
        .join('; '),
      "Write numbers with their country code (+15551234567), or set the bot's defaultCountry (PATCH /admin/bots/{botId}/settings); nothing was imported.",
    );
  }
  return out;
}
