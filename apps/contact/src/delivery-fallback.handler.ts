// Channel fallback at the contact stage (issue 13): a delivery service could not reach a person
// on their broadcast's first channel ("not here") and handed them back. Contacts are this
// service's, so the person's contact on the next channel is found by their number (or created)
// and the delivery requested there once, through the same page pipeline as any target
// (opt-outs, "listed earlier in this run", frequency cap, send window all apply), marked as a
// fallback so it never falls back again. The person counts once in the run: the first channel's
// row announced nothing, and the next channel's result (sent, failed or skipped) counts them.
import { createHash } from 'node:crypto';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Topics, type DeliveryFallback } from '@herald/contracts';
import { OnEvent, type EventBatch } from '@herald/kafka';
import { ResolveContactsService } from './resolve-contacts.service.js';
import { RunOwnerCheck } from './run-owner.check.js';

/**
 * The page a fallback person is listed under in the run: deterministic per (run, first
 * contact), so a redelivered request finds its own listing, and above any real page number.
 */
export function fallbackPageOf(runId: string, contactId: string): number {
  const hash = createHash('sha1').update(`herald:fallback:${runId}:${contactId}`).digest();
  return 1_000_000_000 + (hash.readUInt32BE(0) % 1_000_000_000);
}

@Controller()
export class DeliveryFallbackHandler {
  constructor(
    private readonly contacts: ResolveContactsService,
    private readonly owners: RunOwnerCheck,
  ) {}

  @OnEvent(Topics.DeliveryFallback, { batchSize: 50 })
  async handle(@Payload() batch: EventBatch<DeliveryFallback>): Promise<void> {
    for (const { data } of batch.events) {
      await this.owners.check(data);
      await this.contacts.handlePage(
        {
          runId: data.runId,
          botId: data.botId,
          ...(data.broadcastId ? { broadcastId: data.broadcastId } : {}),
          page: fallbackPageOf(data.runId, data.contactId),
          targets: [{ userId: data.phone, channel: data.next, create: true }],
          messages: data.messages,
          ...(data.payload !== undefined ? { payload: data.payload } : {}),
        },
        {
          from: {
            channel: data.channel,
            contactId: data.contactId,
            code: data.code,
            reason: data.reason,
          },
          variables: data.variables,
        },
      );
      await batch.heartbeat();
    }
  }
}
