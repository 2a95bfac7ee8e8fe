// The console's contact lookups: search by id, user id, phone, email, Messenger id, or one
// variable (`name=value`); and the runs that reached one contact.
import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ErrorCode, HeraldError } from '@herald/errors';
import { BotRepository, ContactSearchRepository } from '@herald/persistence';
import { decodeCursor, pageSize, toPage } from '../http/keyset-cursor.js';
import { AdminDocs } from '../openapi/admin.docs.js';
import { AdminGuard } from './admin.guard.js';
import { uuid } from './admin-params.js';

const MAX_QUERY = 320;

@AdminDocs.controller()
@Controller('admin/bots/:botId/contacts')
@UseGuards(AdminGuard)
export class AdminContactSearchController {
  constructor(
    private readonly bots: BotRepository,
    private readonly search: ContactSearchRepository,
  ) {}

  private async requireBot(botId: string): Promise<void> {
    if (!(await this.bots.findById(botId)))
      throw new HeraldError(ErrorCode.NotFound, `Bot ${botId} does not exist.`);
  }

  @Get('search')
  @AdminDocs.op(
    'Find contacts by id, user id, phone, email or Messenger id (?q=), or by a variable (?q=name=value; keyset pages)',
    200,
    { paged: true },
  )
  async find(
    @Param('botId', uuid) botId: string,
    @Query('q') q?: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ) {
    const query = (q ?? '').trim();
    if (query.length === 0 || query.length > MAX_QUERY) {
      throw HeraldError.invalid(
        'q',
        `q must be 1 to ${MAX_QUERY} characters: an id, a phone, an email, or name=value for a variable.`,
      );
    }
    await this.requireBot(botId);
    const size = pageSize(limit);
    const eq = query.indexOf('=');
    if (eq > 0) {
      const rows = await this.search.byVariable(
        botId,
        query.slice(0, eq).trim(),
        query.slice(eq + 1).trim(),
        decodeCursor(cursor),
        size + 1,
      );
      const page = toPage(
        rows,
        size,
        (r) => r.id,
        (r) => r,
      );
      return { contacts: page.items, nextCursor: page.nextCursor };
    }
    return { contacts: await this.search.byIdentity(botId, query, size), nextCursor: null };
  }

  @Get(':contactId/runs')
  @AdminDocs.op('The runs that reached a contact, newest first (with its delivery status)')
  async runs(
    @Param('botId', uuid) botId: string,
    @Param('contactId', uuid) contactId: string,
    @Query('limit') limit?: string,
  ) {
    await this.requireBot(botId);
    return { runs: await this.search.runsOf(botId, contactId, pageSize(limit)) };
  }
}
