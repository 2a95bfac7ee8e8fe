// POST /admin/bots/{botId}/audience/preview: how many contacts a saved audience reaches, and a
// sample of them, for the console's live count. Nothing is sent.
import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { compileAudience } from '@herald/audience-filter';
import { ErrorCode, HeraldError } from '@herald/errors';
import { AudiencePreviewRepository, BotRepository } from '@herald/persistence';
import { checkAudience } from '../content/content.validation.js';
import { AdminDocs } from '../openapi/admin.docs.js';
import { AdminGuard } from './admin.guard.js';
import { uuid } from './admin-params.js';

/** Counting stops here: the console shows "100,000+" rather than scanning a million rows per keystroke. */
export const PREVIEW_COUNT_CAP = 100_000;
const SAMPLE_SIZE = 5;

@AdminDocs.controller()
@Controller('admin/bots/:botId/audience')
@UseGuards(AdminGuard)
export class AudiencePreviewController {
  constructor(
    private readonly bots: BotRepository,
    private readonly previews: AudiencePreviewRepository,
  ) {}

  @Post('preview')
  @HttpCode(200)
  @AdminDocs.op(
    'Preview a saved audience: a count (capped at 100,000) and a sample; nothing is sent',
  )
  async preview(@Param('botId', uuid) botId: string, @Body() body: unknown) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw HeraldError.invalid(
        'body',
        'The body must be a JSON object {"audience": {...} | null}.',
      );
    }
    const { audience, ...rest } = body as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0)
      throw HeraldError.invalid(
        unknown[0],
        `Unknown field(s): ${unknown.join(', ')}.`,
        'Send {"audience": {...}}.',
      );
    if (!(await this.bots.findById(botId)))
      throw new HeraldError(ErrorCode.NotFound, `Bot ${botId} does not exist.`);
    const compiled = compileAudience(
      audience === undefined || audience === null ? null : checkAudience(audience),
    );
    const condition = compiled.toSql('c', 2);
    const result = await this.previews.preview(botId, condition, PREVIEW_COUNT_CAP, SAMPLE_SIZE);
    return { ...result, everyContact: compiled.everyContact };
  }
}
