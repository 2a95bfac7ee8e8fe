import { parseMessengerWebhook } from './messenger-webhook.parser.js';
import { keywordOf, parseTwilioWebhook } from './twilio-webhook.parser.js';
import { parseWhatsAppWebhook } from './whatsapp-webhook.parser.js';

const whatsapp = (value: Record<string, unknown>) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: 'waba',
      changes: [
        {
          field: 'messages',
          value: { messaging_product: 'whatsapp', metadata: { phone_number_id: '1065' }, ...value },
        },
      ],
    },
  ],
});

describe('WhatsApp webhook', () => {
  it('turns statuses into delivery statuses (sent is already known) and messages into inbound', () => {
    const events = parseWhatsAppWebhook(
      whatsapp({
        statuses: [
          { id: 'wamid.1', status: 'sent', timestamp: '1700000000', recipient_id: '1555' },
          { id: 'wamid.1', status: 'read', timestamp: '1700000001', recipient_id: '1555' },
          {
            id: 'wamid.2',
            status: 'failed',
            timestamp: '1700000002',
            recipient_id: '1556',
            errors: [
              {
                code: 131047,
                title: 'Re-engagement message',
                error_data: { details: 'More than 24 hours' },
              },
            ],
          },
        ],
        messages: [
          {
            from: '1557',
            id: 'wamid.3',
            timestamp: '1700000003',
            type: 'text',
            text: { body: 'hi' },
          },
        ],
      }),
    );
    expect(events.statuses).toEqual([
      {
        channel: 'whatsapp',
        account: '1065',
        recipient: '1555',
        status: 'read',
        providerMessageId: 'wamid.1',
        at: '2023-11-14T22:13:21.000Z',
      },
      expect.objectContaining({
        status: 'failed',
        providerMessageId: 'wamid.2',
        code: '131047',
        reason: 'More than 24 hours',
      }),
    ]);
    expect(events.inbound).toEqual([
      {
        channel: 'whatsapp',
        account: '1065',
        sender: '1557',
        messageId: 'wamid.3',
        at: '2023-11-14T22:13:23.000Z',
      },
    ]);
  });

  it('reads a text that is only STOP or START as an opt-out / opt-in keyword', () => {
    const text = (body: string) =>
      parseWhatsAppWebhook(
        whatsapp({
          metadata: { phone_number_id: '1065' },
          messages: [
            { from: '1557', id: 'wamid.9', timestamp: '1700000003', type: 'text', text: { body } },
          ],
        }),
      ).inbound[0]?.keyword;
    expect([text('stop'), text(' START '), text('stop it'), text('hi')]).toEqual([
      'opt_out',
      'opt_in',
      undefined,
      undefined,
    ]);
  });

  it('names the field that is wrong', () => {
    expect(() => parseWhatsAppWebhook({ object: 'page', entry: [] })).toThrow(
      /whatsapp_business_account/,
    );
    expect(() => parseWhatsAppWebhook(whatsapp({ metadata: {}, statuses: [] }))).toThrow(
      /metadata.phone_number_id/,
    );
    expect(() =>
      parseWhatsAppWebhook(
        whatsapp({ statuses: [{ id: 'w', status: 'read', timestamp: 'soon' }] }),
      ),
    ).toThrow(/timestamp/);
  });
});

describe('Messenger webhook', () => {
  const page = (event: Record<string, unknown>) => ({
    object: 'page',
    entry: [
      {
        id: 'P1',
        time: 1,
        messaging: [
          { sender: { id: 'PSID' }, recipient: { id: 'P1' }, timestamp: 1700000000000, ...event },
        ],
      },
    ],
  });

  it('reads deliveries by message id (else watermark), reads by watermark, and people writing', () => {
    expect(
      parseMessengerWebhook(
        page({ delivery: { mids: ['m1', 'm2'], watermark: 1700000000000 } }),
      ).statuses.map((s) => s.providerMessageId),
    ).toEqual(['m1', 'm2']);
    expect(parseMessengerWebhook(page({ read: { watermark: 1700000000000 } })).statuses).toEqual([
      {
        channel: 'messenger',
        account: 'P1',
        recipient: 'PSID',
        status: 'read',
        watermark: '2023-11-14T22:13:20.000Z',
        at: '2023-11-14T22:13:20.000Z',
      },
    ]);
    expect(parseMessengerWebhook(page({ message: { mid: 'm3', text: 'hi' } })).inbound).toEqual([
      {
        channel: 'messenger',
        account: 'P1',
        sender: 'PSID',
        messageId: 'm3',
        at: '2023-11-14T22:13:20.000Z',
      },
    ]);
    expect(parseMessengerWebhook(page({ message: { mid: 'm4', is_echo: true } })).inbound).toEqual(
      [],
    );
  });
});

describe('Twilio webhook', () => {
  it('turns status callbacks into statuses, undelivered into failed with the code', () => {
    const { statuses } = parseTwilioWebhook(
      [
        ['AccountSid', 'AC1'],
        ['MessageSid', 'SM1'],
        ['MessageStatus', 'undelivered'],
        ['To', '+1555'],
        ['ErrorCode', '30007'],
      ],
      0,
    );
    expect(statuses).toEqual([
      expect.objectContaining({
        status: 'failed',
        providerMessageId: 'SM1',
        code: '30007',
        reason: expect.stringContaining('30007'),
      }),
    ]);
    expect(
      parseTwilioWebhook([
        ['AccountSid', 'AC1'],
        ['MessageSid', 'SM1'],
        ['MessageStatus', 'sent'],
        ['To', '+1555'],
      ]).statuses,
    ).toEqual([]);
  });

  it('turns incoming messages into inbound, with STOP and START keywords (single word, any case)', () => {
    const inbound = (body: string) =>
      parseTwilioWebhook(
        [
          ['AccountSid', 'AC1'],
          ['MessageSid', 'SM1'],
          ['SmsStatus', 'received'],
          ['From', '+1555'],
          ['To', '+1666'],
          ['Body', body],
        ],
        0,
      ).inbound[0];
    expect(inbound(' stop ')).toEqual({
      channel: 'sms',
      account: 'AC1',
      sender: '+1555',
      messageId: 'SM1',
      to: '+1666',
      keyword: 'opt_out',
      at: '1970-01-01T00:00:00.000Z',
    });
    expect(inbound('Unsubscribe')?.keyword).toBe('opt_out');
    expect(inbound('STOP PLEASE')?.keyword).toBeUndefined();
    expect(inbound('unstop')?.keyword).toBe('opt_in');
    expect(keywordOf('help')).toBeUndefined();
  });

  it('needs MessageStatus or Body', () => {
    expect(() =>
      parseTwilioWebhook([
        ['AccountSid', 'AC1'],
        ['MessageSid', 'SM1'],
      ]),
    ).toThrow(/MessageStatus/);
  });
});
