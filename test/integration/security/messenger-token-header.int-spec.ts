// The Messenger page token travels in `Authorization: Bearer`, never in the URL (URLs reach
// proxy and access logs), and the provider sandbox accepts it there as the Graph API does.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MessengerSendSender } from '../../../apps/delivery-messenger/src/messenger-send.sender.js';
import { createSandboxApp } from '../../../apps/provider-sandbox/src/bootstrap.js';

const account = (baseUrl: string, pageId?: string) => ({
  id: 'channel-1',
  botId: 'bot-1',
  type: 'messenger' as const,
  config: { baseUrl, pageId },
  credentials: { pageAccessToken: 'EAAGpageTokenSecret123' },
});

describe('Messenger page token', () => {
  it('goes in the Authorization header, not the query string', async () => {
    const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
    const server = createServer((request, response) => {
      seen.push({ url: request.url ?? '', headers: request.headers });
      request.resume();
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"recipient_id":"1","message_id":"m_1"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const outcome = await new MessengerSendSender(5_000).send(account(url, '100000000000000'), {
        to: 'psid-1',
        message: { text: 'hi' },
      });
      expect(outcome).toMatchObject({ ok: true });
    } finally {
      server.close();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe('/v21.0/100000000000000/messages');
    expect(seen[0].headers.authorization).toBe('Bearer EAAGpageTokenSecret123');
  });

  it('is accepted by the provider sandbox in the header', async () => {
    const sandbox: NestFastifyApplication = await createSandboxApp();
    await sandbox.listen(0, '127.0.0.1');
    try {
      const url = `http://127.0.0.1:${(sandbox.getHttpServer().address() as AddressInfo).port}`;
      // /me/messages: the sandbox's Messenger endpoint, which reads the token from the header.
      const outcome = await new MessengerSendSender(5_000).send(account(url), {
        to: 'psid-2',
        message: { text: 'hi' },
      });
      expect(outcome).toMatchObject({ ok: true });
      const refused = await fetch(`${url}/v21.0/me/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          recipient: { id: 'psid-3' },
          messaging_type: 'UPDATE',
          message: { text: 'hi' },
        }),
      });
      expect(refused.status).toBeGreaterThanOrEqual(400);
    } finally {
      await sandbox.close();
    }
  });
});
