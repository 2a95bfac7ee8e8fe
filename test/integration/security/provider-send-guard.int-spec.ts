// At send time the delivery services refuse a provider base URL on an internal address, whether
// the URL names the IP or a host name resolves to it (the socket's own lookup): the channel's
// credentials never leave for it, and each send fails for good with a reason naming the baseUrl.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { baseUrlRules } from '@herald/custom-api';
import { guardProviderAddresses } from '@herald/delivery-core';
import { MessengerSendSender } from '../../../apps/delivery-messenger/src/messenger-send.sender.js';

describe('provider calls behind the SSRF guard', () => {
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    request.resume();
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end('{"recipient_id":"1","message_id":"m_1"}');
  });
  let port = 0;
  const account = (baseUrl: string) => ({
    id: 'c1',
    botId: 'b1',
    type: 'messenger' as const,
    config: { baseUrl },
    credentials: { pageAccessToken: 'EAAGsecretPageToken123456' },
  });
  const send = (baseUrl: string) =>
    new MessengerSendSender(5_000).send(account(baseUrl), { to: 'psid', message: { text: 'hi' } });
  const guard = (production: boolean, allowedHosts: string[] = []) =>
    guardProviderAddresses(
      baseUrlRules({ production, allowedHosts, allowPrivate: false, configuredBaseUrls: [] })
        .policy,
    );

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('lets the loopback sandbox through outside production', async () => {
    guard(false);
    await expect(send(`http://127.0.0.1:${port}`)).resolves.toMatchObject({ ok: true });
    await expect(send(`http://localhost:${port}`)).resolves.toMatchObject({ ok: true });
  });

  it('refuses an internal IP literal or a name that resolves inside in production, for good and without a request', async () => {
    guard(true);
    const before = requests;
    for (const baseUrl of [
      `http://127.0.0.1:${port}`,
      `http://localhost:${port}`,
      'http://169.254.169.254',
      'http://[::ffff:10.0.0.1]:8080',
    ]) {
      const outcome = await send(baseUrl);
      expect({ baseUrl, outcome }).toEqual({
        baseUrl,
        outcome: expect.objectContaining({
          ok: false,
          failure: 'permanent',
          code: 'ADDRESS_REFUSED',
          reason: expect.stringMatching(/baseUrl is refused: .*(loopback|metadata|private)/),
        }),
      });
      expect(JSON.stringify(outcome)).not.toContain('EAAGsecretPageToken123456');
    }
    expect(requests).toBe(before);
  });

  it('lets an operator allow an egress proxy with PROVIDER_ALLOWED_HOSTS', async () => {
    guard(true, ['127.0.0.1']);
    await expect(send(`http://127.0.0.1:${port}`)).resolves.toMatchObject({ ok: true });
  });
});
