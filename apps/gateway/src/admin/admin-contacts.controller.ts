import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { decodeCursor, pageSize } from '../http/keyset-cursor.js';
import { AdminDocs } from '../openapi/admin.docs.js';
import { AdminGuard } from './admin.guard.js';
import { uuid } from './admin-params.js';
import { ContactAdminService } from './contact-admin.service.js';

/** The route of the bulk import; its body may be larger than the public APIs' 1 MiB. */
export const CONTACT_IMPORT_ROUTE = '/admin/bots/:botId/contacts';
export const CONTACT_IMPORT_BODY_LIMIT = 16 * 1024 * 1024;

@AdminDocs.controller()
@Controller('admin/bots/:botId/contacts')
@UseGuards(AdminGuard)
export class AdminContactsController {
  constructor(private readonly contacts: ContactAdminService) {}

  @Post()
  @HttpCode(200)
  @AdminDocs.contactImport()
  import(@Param('botId', uuid) botId: string, @Body() body: unknown) {
    return this.contacts.import(botId, body);
  }

  @Get()
  @AdminDocs.op("Page through a bot's contacts (keyset)", 200, { paged: true })
  async list(
    @Param('botId', uuid) botId: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ) {
    const page = await this.contacts.list(botId, decodeCursor(cursor), pageSize(limit));
    return { contacts: page.items, nextCursor: page.nextCursor };
  }
}
