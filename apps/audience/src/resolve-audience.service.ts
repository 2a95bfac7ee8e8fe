import { Injectable, Logger } from '@nestjs/common';
import type { BroadcastRequested } from '@herald/contracts';
import { compileAudience } from '@herald/audience-filter';
import { CustomApiClient } from '@herald/custom-api';
import { HeraldError, describeError, isRetriable } from '@herald/errors';
import {
  BroadcastLookupRepository,
  ContactScanRepository,
  RunLedgerRepository,
  SecretBox,
  type RunEntity,
} from '@herald/persistence';
import { AudienceConfig } from './audience.config.js';
import { ContactPagesSource } from './contact-pages.source.js';
import { CustomApiSource } from './custom-api.source.js';
import { PageEmitterService } from './page-emitter.service.js';
import { ResolveContentService } from './resolve-content.service.js';
import type { RunLease } from './run-lease.js';
import { TargetListSource } from './target-list.source.js';
import { normalizeTargets } from './target.normalizer.js';
import type { TargetSource } from './target.source.js';

/**
 * Turns a claimed run's request into pages of targets. Who: the request's targets; else the
 * request's filters; else the broadcast's From-API recipients; else its saved audience; else
 * every contact of the bot. A request that cannot be resolved fails its run with the reason.
 */
@Injectable()
export class ResolveAudienceService {
  private readonly logger = new Logger(ResolveAudienceService.name);

  constructor(
    private readonly config: AudienceConfig,
    private readonly runs: RunLedgerRepository,
    private readonly contacts: ContactScanRepository,
    private readonly broadcasts: BroadcastLookupRepository,
    private readonly content: ResolveContentService,
    private readonly emitter: PageEmitterService,
    private readonly customApi: CustomApiClient,
    private readonly box: SecretBox,
  ) {}

  /** Resolves the run as far as its lease allows; throws only what is worth retrying. */
  async resolve(run: RunEntity, lease: RunLease): Promise<void> {
    try {
      const request = run.request as BroadcastRequested | null;
      if (!request)
        throw HeraldError.invalid('request', `Run ${run.id} has no stored request to resolve.`);
      const messages = await this.content.messagesFor(request);
      const source = await this.sourceFor(request);
      if (await this.emitter.emitAll(run, request, messages, source, lease))
        await this.runs.markResolved(run.id);
    } catch (error) {
      if (isRetriable(error)) throw error;
      this.logger.warn({ msg: `run ${run.id} failed: ${describeError(error)}`, runId: run.id });
      await this.runs.setStatus(run.id, 'failed', describeError(error));
    }
  }

  private async sourceFor(request: BroadcastRequested): Promise<TargetSource> {
    const size = request.options?.singleContact ? 1 : this.config.AUDIENCE_PAGE_SIZE;
    if (request.targets) return new TargetListSource(normalizeTargets(request.targets), size);
    const broadcast = request.broadcastId
      ? await this.broadcasts.findForBot(request.botId, request.broadcastId)
      : null;
    if (request.broadcastId && !broadcast) {
      throw HeraldError.invalid(
        'broadcastId',
        `Broadcast ${request.broadcastId} does not exist for bot ${request.botId}.`,
      );
    }
    if (!request.audience && broadcast?.recipients?.source === 'custom_api') {
      const { endpoint, headersSealed } = broadcast.recipients;
      return new CustomApiSource(
        this.customApi,
        { endpoint, headers: this.openHeaders(headersSealed) },
        this.config.CUSTOM_API_MAX_PAGES,
      );
    }
    const audience = compileAudience(request.audience ?? broadcast?.audience ?? null);
    return new ContactPagesSource(this.contacts, request.botId, audience, size);
  }

  private openHeaders(sealed: string | undefined): Record<string, string> {
    if (!sealed) return {};
    try {
      return this.box.open<Record<string, string>>(sealed);
    } catch {
      throw HeraldError.invalid(
        'recipients.headers',
        "The broadcast's From-API headers cannot be opened.",
        'HERALD_ENCRYPTION_KEY must be the key they were saved with; or save the headers again.',
      );
    }
  }
}
