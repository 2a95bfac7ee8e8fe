// How the delivery services read a provider's answer (postHttp, over a real socket): whole
// whatever its chunking, 1xx answers skipped, non-JSON kept as text, and an answer that is too
// large, too slow or cut off is an error the senders classify as a network failure (retried).
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_ANSWER_BYTES, postHttp } from '@herald/delivery-core';
import { answerRoutes } from './provider-answer-routes.js';

describe('reading provider answers (real HTTP)', () => {
  const routes = answerRoutes<ServerResponse>((response) => response.destroyed);
  const seen: Array<{ url: string; body: string; authorization?: string }> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      seen.push({ url: request.url ?? '', body, authorization: request.headers.authorization });
      routes.get(new URL(request.url ?? '/', 'http://x').pathname)?.(response);
    });
  });
  let base = '';
  const post = (path: string, timeoutMs = 5_000) =>
    postHttp(`${base}${path}`, { authorization: 'Bearer t0ken' }, 'To=%2B1555&Body=hi', timeoutMs);

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    routes.set('/hints', (r) => {
      r.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      r.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    routes.set('/silent', () => undefined);
    routes.set('/cut', (r) => {
      r.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      r.write('{"sid":');
      setTimeout(() => r.socket?.destroy(), 20);
    });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('posts the body and headers, and reads a JSON answer', async () => {
    await expect(post('/json?x=1')).resolves.toEqual({ status: 201, body: { sid: 'SM1' } });
    expect(seen.at(-1)).toEqual({
      url: '/json?x=1',
      body: 'To=%2B1555&Body=hi',
      authorization: 'Bearer t0ken',
    });
  });

  it('reads an answer that comes in several chunks whole (a character split across them too)', async () => {
    await expect(post('/chunks')).resolves.toEqual({ status: 200, body: { message_id: 'm_é1' } });
  });

  it('keeps a non-JSON answer as text, and an empty one as null', async () => {
    await expect(post('/text')).resolves.toEqual({ status: 502, body: '<html>Bad gateway</html>' });
    await expect(post('/empty')).resolves.toEqual({ status: 204, body: null });
  });

  it('skips a 1xx answer and reads the one after it', async () => {
    await expect(post('/hints')).resolves.toEqual({ status: 200, body: { ok: true } });
  });

  it(`refuses an answer over ${MAX_ANSWER_BYTES} bytes instead of reading it all`, async () => {
    await expect(post('/huge')).rejects.toMatchObject({ code: 'ANSWER_TOO_LARGE' });
  });

  it('fails when the provider does not answer in time, or cuts the answer off', async () => {
    await expect(post('/silent', 300)).rejects.toMatchObject({
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
    await expect(post('/cut')).rejects.toMatchObject({ code: expect.stringMatching(/^UND_ERR/) });
  });
});
