import { Injectable } from '@nestjs/common';
import { ContactRepository, type ContactEntity } from '@herald/persistence';
import { toPage, type Page } from '../http/keyset-cursor.js';
import { AdminService } from './admin.service.js';
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
    private readonly admin: AdminService,
    private readonly contacts: ContactRepository,
  ) {}

  async import(botId: string, body: unknown): Promise<{ created: number; updated: number }> {
    await this.admin.requireBot(botId);
    return this.contacts.importMany(botId, parseContactImport(body));
  }

  async list(botId: string, afterId: string | null, limit: number): Promise<Page<ReturnType<typeof contactView>>> {
    await this.admin.requireBot(botId);
    return toPage(await this.contacts.page(botId, afterId, limit + 1), limit, (c) => c.id, contactView);
  }
}
