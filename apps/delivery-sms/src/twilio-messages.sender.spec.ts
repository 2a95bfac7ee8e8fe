import type { ChannelAccount } from '@herald/persistence';
import {
  startRecordingServer,
  type RecordedRequest,
  type RecordingServer,
} from '@herald/testing/recording-server';
import { TwilioMessagesSender, twilioFailure } from './twilio-messages.sender.js';

const account = (config: Record<string, unknown>): ChannelAccount => ({
  id: 'c1',
  botId: 'b1',
  type: 'sms',
  config,
  credentials: { authToken: 'secret' },
});

describe('Twilio error classification', () => {
  it("classifies by Twilio's code, naming what a person can do", () => {
    expect(twilioFailure(400, { code: 21211, message: 'Invalid To' })).toEqual({
      ok: false,
      failure: 'permanent',
      code: '21211',
      reason: 'Invalid To — the number is not a valid phone number',
    });
    expect(twilioFailure(429, { code: 20429 })).toMatchObject({ failure: 'account' });
    expect(twilioFailure(400, { code: 30001 })).toMatchObject({ failure: 'transient' });
    // The account itself refused: a failover account may send instead.
    expect(twilioFailure(401, { code: 20003 })).toMatchObject({
      failure: 'account',
      refused: true,
    });
    expect(twilioFailure(429, { code: 20429 })).not.toHaveProperty('refused');
  });

  it('falls back to the HTTP status when the answer has no code', () => {
    expect(twilioFailure(503, '<html>')).toMatchObject({ failure: 'account', code: 'HTTP_503' });
    expect(twilioFailure(429, null)).toMatchObject({ failure: 'account' });
    expect(twilioFailure(404, null)).toMatchObject({ failure: 'permanent', code: 'HTTP_404' });
  });
});

describe('TwilioMessagesSender before any call', () => {
  const sender = new TwilioMessagesSender(1_000);

  it('refuses a template for good', async () => {
    await expect(
      sender.send(account({ baseUrl: 'http://127.0.0.1:1', accountSid: 'AC1', from: '+1' }), {
        to: '+15551234567',
        message: { template: { name: 't', language: { code: 'en' } } },
      }),
    ).resolves.toMatchObject({
      ok: false,
      failure: 'permanent',
      code: 'UNSUPPORTED',
      reason: 'WhatsApp templates cannot be sent by SMS; give this broadcast a text message',
    });
  });

  it("names a stored config that cannot make a request as the account's trouble", async () => {
    await expect(
      sender.send(account({ baseUrl: 'http://127.0.0.1:1', accountSid: 42 }), {
        to: '+15551234567',
        message: { text: 'hi' },
      }),
    ).resolves.toMatchObject({
      ok: false,
      failure: 'account',
      code: 'CONFIG_INVALID',
      reason: expect.stringContaining('config.accountSid'),
    });
    await expect(
      sender.send(account({ baseUrl: 'http://127.0.0.1:1' }), {
        to: '+15551234567',
        message: { text: 'hi' },
      }),
    ).resolves.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('TwilioMessagesSender on the wire', () => {
  let server: RecordingServer;
  let baseUrl: string;
  let seen: RecordedRequest[];

  beforeAll(async () => {
    server = await startRecordingServer((_, n) => ({ status: 201, json: { sid: `SM${n}` } }));
    ({ baseUrl, seen } = server);
  });

  afterAll(() => server.close());
  beforeEach(() => (seen.length = 0));

  it('posts one form per message, each field as written, whatever characters the text holds', async () => {
    const sender = new TwilioMessagesSender(5_000);
    const sms = account({
      baseUrl,
      accountSid: 'AC/1 ?',
      from: '+15550000000',
      statusCallbackUrl: 'https://herald.example/webhooks/twilio?x=1&y=2',
    });
    const texts = ['Hi Ada', "a+b=c & d%20e\nnew line 👋 ~!*()'", '', 'half \ud83d of 👋'];
    for (const [i, text] of texts.entries())
      await expect(
        sender.send(sms, { to: `+1555000000${i}`, message: { text } }),
      ).resolves.toMatchObject({ ok: true, providerMessageId: `SM${i + 1}` });
    expect(seen).toHaveLength(texts.length);
    for (const [i, request] of seen.entries()) {
      expect(request.path).toBe('/2010-04-01/Accounts/AC%2F1%20%3F/Messages.json');
      expect(request.headers.authorization).toBe(
        `Basic ${Buffer.from('AC/1 ?:secret').toString('base64')}`,
      );
      expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect([...new URLSearchParams(request.body)]).toEqual([
        ['To', `+1555000000${i}`],
        // A lone surrogate arrives as U+FFFD (as URLSearchParams writes it), never as an error.
        ['Body', texts[i].replace('\ud83d ', '\ufffd ')],
        ['From', '+15550000000'],
        ['StatusCallback', 'https://herald.example/webhooks/twilio?x=1&y=2'],
      ]);
    }
  });

  it('sends from the Messaging Service when the account has one, and reads a changed account anew', async () => {
    const sender = new TwilioMessagesSender(5_000);
    await sender.send(
      account({ baseUrl, accountSid: 'AC1', messagingServiceSid: 'MG1', from: '+1' }),
      {
        to: '+15550000001',
        message: { text: 'one' },
      },
    );
    // The delivery core reads account rows again every half minute: a new row, new settings.
    await sender.send(account({ baseUrl, accountSid: 'AC2', from: '+15550000009' }), {
      to: '+15550000001',
      message: { text: 'two' },
    });
    expect(seen.map((r) => [r.path, Object.fromEntries(new URLSearchParams(r.body))])).toEqual([
      [
        '/2010-04-01/Accounts/AC1/Messages.json',
        { To: '+15550000001', Body: 'one', MessagingServiceSid: 'MG1' },
      ],
      [
        '/2010-04-01/Accounts/AC2/Messages.json',
        { To: '+15550000001', Body: 'two', From: '+15550000009' },
      ],
    ]);
  });
});
