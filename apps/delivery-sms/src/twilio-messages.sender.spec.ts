import type { ChannelAccount } from '@herald/persistence';
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
    expect(twilioFailure(401, { code: 20003 })).toMatchObject({ failure: 'account' });
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
