// The Messenger Send API adapter: POST /{page-id}/messages per message, the sends made to one
// Page at the same moment gathered into Graph batch requests (GraphBatcher); its errors are
// classified by the Graph error codes below, in graphFailure only.
import { Injectable } from '@nestjs/common';
import { accountSettings } from '@herald/contracts';
import {
  GraphBatcher,
  configInvalid,
  graphFailure,
  networkFailure,
  templateNotSupported,
  type ChannelSender,
  type GraphCodes,
  type OutboundMessage,
  type SendOutcome,
} from '@herald/delivery-core';
import type { ChannelAccount } from '@herald/persistence';

// Rate limits (613 API, 4 app, 32 Page) and temporary failures: retriable, and about the Page.
const RETRIABLE = new Set([613, 4, 32, 2, 1200]);
const ADVICE: Record<number, string> = {
  10: 'outside the messaging window: send with a message tag or a notification token',
  551: 'this person is unavailable (blocked the page or deactivated)',
  100: 'the request was invalid',
  190: 're-authorise the Messenger channel: its page access token is invalid',
};
// The Page's token is invalid (190) or the Page is blocked for policy (368): nothing was sent.
// Failure `account`, so a bot with a failover Page sends through it at once; refused, so it
// opens no breaker (the Page's own trouble never pauses other bots).
const ACCOUNT_REFUSALS = [190, 368];
const TRIPPING = new Set([...RETRIABLE, ...ACCOUNT_REFUSALS]);
export const MESSENGER_CODES: GraphCodes = {
  retriable: RETRIABLE,
  tripping: TRIPPING,
  refusals: new Set(ACCOUNT_REFUSALS),
  advice: ADVICE,
};

@Injectable()
export class MessengerSendSender implements ChannelSender {
  private readonly graph: GraphBatcher;

  /**
   * `batchLimit`: at most this many sends to one Page go as one Graph batch request (1: none);
   * `requested(n)` is told of each HTTP request and how many sends it carried.
   */
  constructor(timeoutMs = 10_000, batchLimit = 1, requested?: (operations: number) => void) {
    this.graph = new GraphBatcher(batchLimit, timeoutMs, requested);
  }

  async send(account: ChannelAccount, outbound: OutboundMessage): Promise<SendOutcome> {
    if (!('text' in outbound.message)) {
      return templateNotSupported('messenger');
    }
    const read = accountSettings('messenger', account.config);
    if (!read.ok) {
      return configInvalid(read.problem);
    }
    const { baseUrl, apiVersion = 'v21.0', pageId } = read.settings;
    if (!baseUrl) {
      return configInvalid("the Messenger channel's config needs its baseUrl");
    }
    // /{page-id}/messages names the Page (status webhooks come back for it); /me/ when unknown.
    const page = pageId ? encodeURIComponent(pageId) : 'me';
    const recipient = outbound.oneTimeNotifToken
      ? { one_time_notif_token: outbound.oneTimeNotifToken }
      : outbound.notificationMessagesToken
        ? { notification_messages_token: outbound.notificationMessagesToken }
        : { id: outbound.to };
    const body = {
      recipient,
      messaging_type: outbound.messagingTag ? 'MESSAGE_TAG' : 'UPDATE',
      ...(outbound.messagingTag ? { tag: outbound.messagingTag } : {}),
      message: { text: outbound.message.text },
    };
    try {
      const answer = await this.graph.post(
        { baseUrl, apiVersion, token: account.credentials.pageAccessToken ?? '' },
        { path: `${page}/messages`, fields: body },
      );
      if (answer.status === 200) {
        return {
          ok: true,
          providerMessageId: (answer.body as { message_id?: string } | null)?.message_id ?? null,
        };
      }
      return graphFailure(answer.status, answer.body, MESSENGER_CODES);
    } catch (error) {
      return networkFailure(error);
    }
  }
}
