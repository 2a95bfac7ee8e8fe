import { createHmac } from 'node:crypto';
import type { EventPublisher } from '@herald/kafka';
import { ErrorCode } from '@herald/errors';
import { loadConfig } from '@herald/runtime';
import { WebhookConfig } from './webhook.config.js';
import {
  WebhookRelayService,
  messengerAccounts,
  whatsappAccounts,
} from './webhook-relay.service.js';
import type { WebhookSecretsService, WebhookSigner } from './webhook-secrets.service.js';
import { twilioSignature } from './webhook-signature.js';

/** Signers per account, as the channels naming it would give them (secret → its bots). */
const SIGNERS: Record<string, WebhookSigner[]> = {
  AC1: [
    { secret: 'token-1', botIds: ['bot-1'] },
    // Another tenant's channel names AC1 with a token of its own.
    { secret: 'token-m', botIds: ['bot-m'] },
  ],
  AC2: [{ secret: 'token-2', botIds: ['bot-2'] }],
  '1065': [{ secret: 'secret-a', botIds: ['bot-a', 'bot-a2'] }],
  '2065': [{ secret: 'platform', botIds: ['bot-b'] }],
};
const secrets = {
  twilio: async (sid: string) => SIGNERS[sid] ?? [],
  meta: async (_type: string, account: string) =>
    SIGNERS[account] ?? [{ secret: 'platform', botIds: [] }],
} as unknown as WebhookSecretsService;

function relay() {
  const published: unknown[] = [];
  const publisher = {
    publish: async (_topic: string, events: unknown[]) => void published.push(...events),
  } as unknown as EventPublisher;
  return {
    published,
    relay: new WebhookRelayService(
      loadConfig(WebhookConfig, { NODE_ENV: 'production', META_APP_SECRET: 'platform' }),
      publisher,
      secrets,
    ),
  };
}

const URL = 'https://herald.example.com/webhooks/twilio';
const twilio = (params: Array<[string, string]>, token: string) => {
  const rawBody = Buffer.from(new URLSearchParams(params).toString());
  return {
    rawBody,
    body: undefined,
    signature: twilioSignature(token, URL, params),
    url: URL,
    path: '/webhooks/twilio',
  };
};
const whatsapp = (...ids: string[]) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: 'waba',
      changes: ids.map((id) => ({
        field: 'messages',
        value: {
          metadata: { phone_number_id: id },
          messages: [
            {
              from: '12025550143',
              id: `wamid.${id}`,
              timestamp: '1700000000',
              type: 'text',
              text: { body: 'hi' },
            },
          ],
        },
      })),
    },
  ],
});
const meta = (payload: unknown, secret: string) => {
  const rawBody = Buffer.from(JSON.stringify(payload));
  return {
    rawBody,
    body: payload,
    signature: `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`,
  };
};

describe('webhook trust per account', () => {
  const inbound = (sid: string): Array<[string, string]> => [
    ['AccountSid', sid],
    ['MessageSid', 'SM1'],
    ['SmsStatus', 'received'],
    ['From', '+12025550143'],
    ['Body', 'STOP'],
  ];

  it("Twilio: only the named account's auth token verifies (production: no platform token)", async () => {
    const { relay: r, published } = relay();
    await expect(r.twilio(twilio(inbound('AC1'), 'token-2'))).rejects.toMatchObject({
      code: ErrorCode.Unauthorized,
    });
    await expect(r.twilio(twilio(inbound('AC9'), 'token-1'))).rejects.toMatchObject({
      code: ErrorCode.Unauthorized,
    });
    expect(published).toEqual([]);
    await r.twilio(twilio(inbound('AC1'), 'token-1'));
    expect(published).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({
          account: 'AC1',
          keyword: 'opt_out',
          messageId: 'SM1',
          botIds: ['bot-1'],
        }),
      }),
    ]);
  });

  it('speaks only for the bots whose secret verified it: another tenant naming the account signs for itself', async () => {
    const { relay: r, published } = relay();
    await r.twilio(twilio(inbound('AC1'), 'token-m'));
    await r.whatsapp(meta(whatsapp('1065'), 'secret-a'));
    await r.whatsapp(meta(whatsapp('4065'), 'platform'));
    expect(published.map((e) => (e as { data: { botIds?: string[] } }).data.botIds)).toEqual([
      ['bot-m'],
      ['bot-a', 'bot-a2'],
      // An account no channel names: verified with the platform's secret, for no bot.
      [],
    ]);
  });

  it('Twilio: a webhook naming no account is a 400 naming AccountSid', async () => {
    const { relay: r } = relay();
    await expect(r.twilio(twilio([['MessageSid', 'SM1']], 'token-1'))).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      field: 'AccountSid',
    });
  });

  it('Meta: a body naming several accounts must verify for each of them', async () => {
    const { relay: r, published } = relay();
    await expect(r.whatsapp(meta(whatsapp('1065'), 'platform'))).rejects.toMatchObject({
      code: ErrorCode.Unauthorized,
    });
    await expect(r.whatsapp(meta(whatsapp('1065', '2065'), 'secret-a'))).rejects.toMatchObject({
      code: ErrorCode.Unauthorized,
    });
    await expect(r.whatsapp(meta(whatsapp('1065', '2065'), 'platform'))).rejects.toMatchObject({
      code: ErrorCode.Unauthorized,
    });
    expect(published).toEqual([]);
    await r.whatsapp(meta(whatsapp('1065'), 'secret-a'));
    await r.whatsapp(meta(whatsapp('2065'), 'platform'));
    expect(published).toHaveLength(2);
  });

  it('reads the accounts a body names, loosely and bounded', () => {
    expect(whatsappAccounts(whatsapp('1', '2', '1'))).toEqual(['1', '2']);
    expect(whatsappAccounts('nonsense')).toEqual([]);
    const page = (recipient: string, message: Record<string, unknown>) => ({
      object: 'page',
      entry: [
        { id: 'P1', messaging: [{ sender: { id: 'U1' }, recipient: { id: recipient }, message }] },
      ],
    });
    expect(messengerAccounts(page('P2', { mid: 'm' }))).toEqual(['P1', 'P2']);
    // An echo's recipient is the person, not a Page.
    expect(messengerAccounts(page('U1', { mid: 'm', is_echo: true }))).toEqual(['P1']);
    expect(() =>
      whatsappAccounts(whatsapp(...Array.from({ length: 101 }, (_, i) => String(i)))),
    ).toThrow(/at most 100 accounts/);
  });
});
