import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RequestBroadcastService } from '../broadcast/request-broadcast.service.js';
import type { HookCaller } from '../auth/api-caller.js';
import type { ParsedHook } from './hook-payload.parser.js';

export interface HookAccepted {
  success: true;
  run_id: string;
  scheduled_for: string;
}

/**
 * The on-demand hook (seeds 000/001): one produce. HookKeyGuard has opened the broadcast and
 * authenticated the caller, QuotaGuard counted the call, parseHookInput parsed the body.
 */
@Injectable()
export class AcceptHookService {
  constructor(private readonly requester: RequestBroadcastService) {}

  /** Runs the broadcast for `parsed` (a GET: `{}`, the saved audience) under `runId`. */
  async accept(
    { broadcast }: HookCaller,
    parsed: ParsedHook,
    runId: string = randomUUID(),
  ): Promise<HookAccepted> {
    const { settings } = broadcast;
    const run = await this.requester.request(
      {
        botId: broadcast.botId,
        broadcastId: broadcast.id,
        source: 'hook',
        ...(parsed.audience ? { audience: parsed.audience } : {}),
        ...(parsed.targets ? { targets: parsed.targets } : {}),
        ...(parsed.setVariables ? { setVariables: parsed.setVariables } : {}),
        ...(parsed.payload !== undefined ? { payload: parsed.payload } : {}),
        ...(settings.singleContact ? { options: { singleContact: true } } : {}),
        delayMinutes: parsed.delayMinutes,
      },
      runId,
    );
    return { success: true, run_id: run.runId, scheduled_for: run.scheduledFor };
  }
}
