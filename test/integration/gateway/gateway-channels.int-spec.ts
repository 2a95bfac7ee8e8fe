// A channel created without a baseUrl gets its type's default (Graph for WhatsApp and
// Messenger, Twilio for SMS in production), else PROVIDER_DEFAULT_BASE_URL; one that names its
// own keeps it.
import { GatewayConfig } from '../../../apps/gateway/src/gateway.config.js';
import { loadConfig } from '@herald/runtime';
import { createBot, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

describe('channel base URLs', () => {
  let h: GatewayHarness;

  beforeAll(async () => {
    h = await startGatewayHarness({
      PROVIDER_DEFAULT_BASE_URL: 'https://graph.example.test',
      PROVIDER_BASE_URL_SMS: 'https://api.twilio.example.test',
    });
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it("default to the channel type's base URL, else the common one; a channel's own is kept", async () => {
    const bot = await createBot(h, { name: 'Base URL bot', channels: ['whatsapp', 'sms'] });
    const listed = await h.admin<{
      channels: Array<{ type: string; config: { baseUrl: string } }>;
    }>('GET', `/admin/bots/${bot.botId}/channels`);
    const baseUrlOf = (type: string) =>
      listed.body.channels.find((c) => c.type === type)?.config.baseUrl;
    expect(baseUrlOf('sms')).toBe('https://api.twilio.example.test');
    expect(baseUrlOf('whatsapp')).toBe('https://graph.example.test');

    const own = await h.admin('POST', `/admin/bots/${bot.botId}/channels`, {
      type: 'messenger',
      config: {
        pageId: '1065550009',
        pageAccessToken: 'EAAG-page',
        baseUrl: 'https://graph.proxy.example.test',
      },
    });
    expect(own.status).toBe(201);
    const again = await h.admin<{ channels: Array<{ type: string; config: { baseUrl: string } }> }>(
      'GET',
      `/admin/bots/${bot.botId}/channels`,
    );
    expect(again.body.channels.find((c) => c.type === 'messenger')?.config.baseUrl).toBe(
      'https://graph.proxy.example.test',
    );
  });

  it('refuses a base URL on an internal or metadata address with a 400 naming config.baseUrl', async () => {
    const bot = await createBot(h, { name: 'SSRF bot', channels: [] });
    for (const [baseUrl, why] of [
      ['http://169.254.169.254/latest', /metadata/],
      ['http://metadata.google.internal', /metadata/],
      ['http://10.0.0.7:8080', /private address/],
      ['http://[64:ff9b::a00:7]', /private address|nat64/],
      ['http://[fec0::1]', /site-local/],
      ['gopher://graph.example.test', /must be http\(s\)/],
    ] as const) {
      const refused = await h.admin<{ error?: { message?: string } } & Record<string, unknown>>(
        'POST',
        `/admin/bots/${bot.botId}/channels`,
        {
          type: 'messenger',
          config: { pageId: '1065550010', pageAccessToken: 'EAAG-page', baseUrl },
        },
      );
      expect([baseUrl, refused.status]).toEqual([baseUrl, 400]);
      expect(JSON.stringify(refused.body)).toContain('config.baseUrl');
      expect(JSON.stringify(refused.body)).toMatch(why);
      expect(JSON.stringify(refused.body)).not.toContain('EAAG-page');
    }
    // The sandbox on loopback stays usable outside production.
    const sandbox = await h.admin('POST', `/admin/bots/${bot.botId}/channels`, {
      type: 'messenger',
      config: {
        pageId: '1065550010',
        pageAccessToken: 'EAAG-page',
        baseUrl: 'http://127.0.0.1:3999',
      },
    });
    expect(sandbox.status).toBe(201);
  });

  it('refuses a per-type base URL that is not an http(s) URL, naming the variable', () => {
    expect(() => loadConfig(GatewayConfig, { PROVIDER_BASE_URL_SMS: 'api.twilio.com' })).toThrow(
      /PROVIDER_BASE_URL_SMS/,
    );
  });
});
