import { Injectable } from '@nestjs/common';
import { normalizePhone, whatsappIdOf, type Channel } from '@herald/contracts';
import { ErrorCode, HeraldError } from '@herald/errors';
import { GatewayContactRepository } from '@herald/persistence';
import type { ApiCaller } from '../auth/api-caller.js';
import { RequestBroadcastService } from '../broadcast/request-broadcast.service.js';
import { BotLookupService } from '../lookups/bot-lookup.service.js';
import type { CsmlBroadcast } from './csml-broadcast.parser.js';

export interface CsmlBroadcastAccepted {
  request_id: string;
  client: { user_id: string; bot_id: string; channel_id: string };
  payload: { content_type: 'flow_trigger'; content: { flow_id: string; close_flows: boolean } };
  metadata?: Record<string, unknown>;
}

/**
 * CSML-style broadcasts (seed 003): a flow (a block, by id or name) to one client. The channel is
 * the one given, else the channel the user is known on, else the bot's first channel. An unknown
 * user is not an error: the run shows them as skipped ("if a target is unavailable, no error").
 */
@Injectable()
export class CsmlBroadcastService {
  constructor(
    private readonly lookup: BotLookupService,
    private readonly contacts: GatewayContactRepository,
    private readonly requester: RequestBroadcastService,
  ) {}

  async broadcast(
    { botId }: ApiCaller,
    request: CsmlBroadcast,
    runId: string,
  ): Promise<CsmlBroadcastAccepted> {
    if (request.botId !== undefined && request.botId !== botId) {
      throw HeraldError.invalid(
        'client.bot_id',
        'client.bot_id is not the bot of this API key.',
        'Leave it out; the key says which bot.',
      );
    }
    const block = await this.lookup.block(botId, request.flowId);
    if (!block)
      throw HeraldError.invalid(
        'payload.content.flow_id',
        `Flow "${request.flowId}" is not a block of this bot.`,
      );
    const channel = await this.channelFor(botId, request.userId, request.channelId);

    const run = await this.requester.request(
      {
        botId,
        source: 'csml',
        content: { blockId: block.id },
        targets: [{ userId: request.userId, channel: channel.type, create: false }],
        // The metadata is usable in the block as {{payload.<key>}}.
        ...(request.metadata ? { payload: request.metadata } : {}),
      },
      runId,
    );
    return {
      request_id: run.runId,
      client: { user_id: request.userId, bot_id: botId, channel_id: channel.id },
      payload: {
        content_type: 'flow_trigger',
        content: { flow_id: request.flowId, close_flows: request.closeFlows },
      },
      ...(request.metadata ? { metadata: request.metadata } : {}),
    };
  }

  private async channelFor(
    botId: string,
    userId: string,
    channelId: string | undefined,
  ): Promise<{ id: string; type: Channel }> {
    const channels = await this.lookup.channels(botId);
    if (channelId !== undefined) {
      const named = channels.find((c) => c.id === channelId);
      if (!named)
        throw HeraldError.invalid(
          'client.channel_id',
          `Channel ${channelId} is not an enabled channel of this bot.`,
        );
      return named;
    }
    if (channels.length === 0) {
      throw new HeraldError(ErrorCode.InvalidInput, 'This bot has no enabled channel to send on.', {
        field: 'client.channel_id',
        fix: 'Add one with POST /admin/bots/{botId}/channels.',
      });
    }
    // On WhatsApp and SMS the user id is the number, stored in E.164 (WhatsApp: without the plus).
    const phone = normalizePhone(userId);
    const forms = 'e164' in phone ? [userId, phone.e164, whatsappIdOf(phone.e164)] : [userId];
    const known = await this.contacts.findByUserIds(botId, [...new Set(forms)]);
    // A user id that is no phone number can only be someone on Messenger (page-scoped id).
    const usable = channels.filter((c) => c.type === 'messenger' || 'e164' in phone);
    return (
      channels.find((c) => known.some((k) => k.channel === c.type)) ?? usable[0] ?? channels[0]
    );
  }
}
