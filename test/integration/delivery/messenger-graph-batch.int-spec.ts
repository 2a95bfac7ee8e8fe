// Messenger sends made to one Page at the same moment travel as Graph batch requests, against
// the real provider sandbox over HTTP; each person still gets their own outcome.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MessengerSendSender } from '../../../apps/delivery-messenger/src/messenger-send.sender.js';
import { createSandboxApp } from '../../../apps/provider-sandbox/src/bootstrap.js';

const PAGE_ID = '100000000000000';
const TOKEN = 'EAAGpageTokenSecret123';

const account = (baseUrl: string) => ({
  id: 'channel-1',
  botId: 'bot-1',
  type: 'messenger' as const,
  config: { baseUrl, pageId: PAGE_ID },
  credentials: { pageAccessToken: TOKEN },
});

interface Seen {
  url: string;
  authorization: string | undefined;
  body: string;
}

/** An HTTP server on a free loopback port; `answer` gets each request and its whole body. */
async function serve(
  answer: (seen: Seen, reply: (status: number, body: string) => void) => void,
): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const one = {
        url: request.url ?? '',
        authorization: request.headers.authorization,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(one);
      answer(one, (status, body) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(body),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const psids = (count: number, from = 1) =>
  Array.from({ length: count }, (_, i) => String(9_000_000 + from + i));

describe('Messenger sends as Graph batch requests', () => {
  let sandbox: NestFastifyApplication;
  let sandboxUrl: string;
  /** In front of the sandbox: counts the HTTP requests and what they carried. */
  let front: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    sandbox = await createSandboxApp({ logger: false });
    await sandbox.listen(0, '127.0.0.1');
    sandboxUrl = `http://127.0.0.1:${(sandbox.getHttpServer().address() as AddressInfo).port}`;
    front = await serve((seen, reply) => {
      void fetch(`${sandboxUrl}${seen.url}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(seen.authorization ? { authorization: seen.authorization } : {}),
        },
        body: seen.body,
      }).then(async (res) => reply(res.status, await res.text()));
    });
  });

  afterAll(async () => {
    front.server.close();
    await sandbox.close();
  });

  beforeEach(async () => {
    front.seen.length = 0;
    await fetch(`${sandboxUrl}/sandbox`, { method: 'DELETE' });
  });

  const sendAll = (sender: MessengerSendSender, to: string[], baseUrl = front.url) =>
    Promise.all(
      to.map((psid) =>
        sender.send(account(baseUrl), { to: psid, message: { text: `hi ${psid}` } }),
      ),
    );

  const logged = async () =>
    (
      (await (
        await fetch(`${sandboxUrl}/sandbox/messages?channel=messenger&limit=500`)
      ).json()) as {
        messages: Array<{ id: string; to: string; text: string; account: string }>;
      }
    ).messages;

  it('sends 120 people to one Page in 3 requests, each person answered with their own message id', async () => {
    const to = psids(120);
    const requests: number[] = [];
    const outcomes = await sendAll(
      new MessengerSendSender(5_000, 50, (operations) => requests.push(operations)),
      to,
    );
    expect(requests).toEqual([50, 50, 20]);

    expect(front.seen.map((s) => s.url)).toEqual(['/v21.0/', '/v21.0/', '/v21.0/']);
    const batches = front.seen.map((s) => JSON.parse(s.body) as { batch: unknown[] });
    expect(batches.map((b) => b.batch.length)).toEqual([50, 50, 20]);
    expect(batches[0].batch[0]).toEqual({
      method: 'POST',
      relative_url: `v21.0/${PAGE_ID}/messages`,
      body: expect.stringContaining('recipient=%7B%22id%22%3A%229000001%22%7D'),
    });
    // The token travels in the header only, never in a URL or a body.
    for (const one of front.seen) {
      expect(one.authorization).toBe(`Bearer ${TOKEN}`);
      expect(one.url + one.body).not.toContain(TOKEN);
    }

    const log = await logged();
    expect(log.map((m) => m.to).sort()).toEqual([...to].sort());
    const idOf = new Map(log.map((m) => [m.to, m.id]));
    expect(outcomes).toEqual(to.map((psid) => ({ ok: true, providerMessageId: idOf.get(psid) })));
    expect(log.every((m) => m.account === PAGE_ID && m.text === `hi ${m.to}`)).toBe(true);
  });

  it('keeps the sends of different Pages apart, each batch with its own token', async () => {
    const sender = new MessengerSendSender(5_000, 50);
    const other = {
      ...account(front.url),
      id: 'channel-2',
      config: { baseUrl: front.url, pageId: '100000000000009' },
      credentials: { pageAccessToken: 'EAAGotherPageToken456' },
    };
    const outcomes = await Promise.all([
      ...psids(3).map((psid) =>
        sender.send(account(front.url), { to: psid, message: { text: 'a' } }),
      ),
      ...psids(2, 10).map((psid) => sender.send(other, { to: psid, message: { text: 'b' } })),
    ]);

    expect(outcomes.every((o) => o.ok)).toBe(true);
    const byToken = new Map(
      front.seen.map((s) => [
        s.authorization,
        (JSON.parse(s.body) as { batch: unknown[] }).batch.length,
      ]),
    );
    expect(byToken).toEqual(
      new Map([
        [`Bearer ${TOKEN}`, 3],
        ['Bearer EAAGotherPageToken456', 2],
      ]),
    );
    const log = await logged();
    expect(
      log
        .filter((m) => m.account === '100000000000009')
        .map((m) => m.to)
        .sort(),
    ).toEqual(psids(2, 10));
  });

  it('sends a lone message as the plain Send API request', async () => {
    const [outcome] = await sendAll(new MessengerSendSender(5_000, 50), psids(1));

    expect(outcome).toMatchObject({ ok: true });
    expect(front.seen.map((s) => s.url)).toEqual([`/v21.0/${PAGE_ID}/messages`]);
    expect(JSON.parse(front.seen[0].body)).toMatchObject({ recipient: { id: '9000001' } });
  });

  it('with a limit of 1 sends every message as its own request', async () => {
    await sendAll(new MessengerSendSender(5_000, 1), psids(5));

    expect(front.seen).toHaveLength(5);
    expect(new Set(front.seen.map((s) => s.url))).toEqual(new Set([`/v21.0/${PAGE_ID}/messages`]));
  });

  it('gives each person their own error: one refused for good, the others sent', async () => {
    await fetch(`${sandboxUrl}/sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: 'messenger',
        rejectRecipients: { '9000002': 551, '9000003': 613 },
      }),
    });

    const outcomes = await sendAll(new MessengerSendSender(5_000, 50), psids(4));

    expect(front.seen).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ ok: true });
    expect(outcomes[1]).toMatchObject({ ok: false, failure: 'permanent', code: '551/1545041' });
    expect(outcomes[2]).toMatchObject({ ok: false, failure: 'account', code: '613' });
    expect(outcomes[3]).toMatchObject({ ok: true });
    expect((await logged()).map((m) => m.to).sort()).toEqual(['9000001', '9000004']);
  });

  it('gives every person the answer of a batch refused as a whole', async () => {
    const refusing = await serve((_seen, reply) =>
      reply(
        400,
        JSON.stringify({
          error: {
            message: '(#190) Invalid OAuth access token',
            type: 'OAuthException',
            code: 190,
          },
        }),
      ),
    );
    try {
      const outcomes = await sendAll(new MessengerSendSender(5_000, 50), psids(3), refusing.url);
      expect(refusing.seen).toHaveLength(1);
      expect(outcomes).toEqual(
        Array.from({ length: 3 }, () =>
          expect.objectContaining({ ok: false, failure: 'account', code: '190' }),
        ),
      );
    } finally {
      refusing.server.close();
    }
  });

  it('fails as unknown (retried, not failed for good) a person Graph left without an answer', async () => {
    const short = await serve((_seen, reply) =>
      reply(
        200,
        JSON.stringify([
          { code: 200, body: '{"recipient_id":"9000001","message_id":"m_1"}' },
          null,
        ]),
      ),
    );
    try {
      const outcomes = await sendAll(new MessengerSendSender(5_000, 50), psids(3), short.url);
      expect(outcomes[0]).toEqual({ ok: true, providerMessageId: 'm_1' });
      for (const missing of outcomes.slice(1))
        expect(missing).toMatchObject({
          ok: false,
          failure: 'account',
          code: 'GRAPH_BATCH_NO_ANSWER',
          reason: expect.stringContaining('whether it was sent is unknown'),
        });
    } finally {
      short.server.close();
    }
  });

  it('takes a 200 that is not a list of results as no answer, not as sent', async () => {
    const odd = await serve((_seen, reply) => reply(200, '{"ok":true}'));
    try {
      const outcomes = await sendAll(new MessengerSendSender(5_000, 50), psids(2), odd.url);
      expect(outcomes).toEqual(
        Array.from({ length: 2 }, () =>
          expect.objectContaining({ ok: false, failure: 'account', code: 'GRAPH_BATCH_NO_ANSWER' }),
        ),
      );
    } finally {
      odd.server.close();
    }
  });

  it('fails every person of a batch whose request never reached Graph as a network failure', async () => {
    const gone = await serve(() => undefined);
    const url = gone.url;
    await new Promise<void>((resolve) => gone.server.close(() => resolve()));
    const outcomes = await sendAll(new MessengerSendSender(2_000, 50), psids(3), url);
    expect(outcomes).toEqual(
      Array.from({ length: 3 }, () =>
        expect.objectContaining({ ok: false, failure: 'account', code: 'ECONNREFUSED' }),
      ),
    );
  });
});
