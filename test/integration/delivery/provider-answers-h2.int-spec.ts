// The real providers are HTTPS, and over HTTPS the senders' undici agent offers HTTP/2 by ALPN:
// a provider that picks it gets every send as an HTTP/2 stream, a path the plain-HTTP sandbox never
// takes. Here postHttp talks to a local TLS server that speaks HTTP/2 only (no HTTP/1.1 fallback),
// and an answer is read as it is over HTTP/1.1 (provider-answers.int-spec.ts): whole, bounded,
// timed out, and a stream the server resets is an error the senders retry. The server's
// certificate is made for the test (openssl) and trusted for this process only.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http2, { type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { MAX_ANSWER_BYTES, networkFailure, postHttp } from '@herald/delivery-core';
import { answerRoutes } from './provider-answer-routes.js';

function selfSignedCertificate(dir: string): { key: string; cert: string } {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=provider.test',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'pipe' },
  );
  return { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
}

describe('reading provider answers over HTTP/2 (real TLS)', () => {
  const routes = answerRoutes<Http2ServerResponse>((response) => response.stream.destroyed);
  const seen: Array<{ version: string; url: string; body: string; authorization?: string }> = [];
  const sessions = new Set<ServerHttp2Session>();
  const originalCAs = tls.getCACertificates('default');
  let dir = '';
  let server: http2.Http2SecureServer;
  let base = '';
  const post = (path: string, timeoutMs = 5_000) =>
    postHttp(`${base}${path}`, { authorization: 'Bearer t0ken' }, 'To=%2B1555&Body=hi', timeoutMs);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-h2-'));
    const { key, cert } = selfSignedCertificate(dir);
    tls.setDefaultCACertificates([...originalCAs, cert]);
    server = http2.createSecureServer({ key, cert, allowHTTP1: false }, (request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        seen.push({
          version: request.httpVersion,
          url: request.url,
          body,
          authorization: request.headers.authorization,
        });
        routes.get(new URL(request.url, 'https://x').pathname)?.(response);
      });
    });
    server.on('session', (session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    routes.set('/silent', () => undefined);
    routes.set('/reset', (r) => {
      r.writeHead(200, { 'content-type': 'application/json' });
      r.write('{"sid":');
      setTimeout(() => r.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR), 20);
    });
  });

  afterAll(async () => {
    tls.setDefaultCACertificates(originalCAs);
    for (const session of sessions) session.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('posts the body and headers as an HTTP/2 stream, and reads a JSON answer', async () => {
    await expect(post('/json?x=1')).resolves.toEqual({ status: 201, body: { sid: 'SM1' } });
    expect(seen.at(-1)).toEqual({
      version: '2.0',
      url: '/json?x=1',
      body: 'To=%2B1555&Body=hi',
      authorization: 'Bearer t0ken',
    });
  });

  it('reads an answer in several DATA frames whole, a non-JSON one as text, an empty one as null', async () => {
    await expect(post('/chunks')).resolves.toEqual({ status: 200, body: { message_id: 'm_é1' } });
    await expect(post('/text')).resolves.toEqual({ status: 502, body: '<html>Bad gateway</html>' });
    await expect(post('/empty')).resolves.toEqual({ status: 204, body: null });
  });

  it(`refuses an answer over ${MAX_ANSWER_BYTES} bytes, and the connection keeps serving sends`, async () => {
    await expect(post('/huge')).rejects.toMatchObject({ code: 'ANSWER_TOO_LARGE' });
    await expect(post('/json')).resolves.toEqual({ status: 201, body: { sid: 'SM1' } });
  });

  it('fails when the provider does not answer in time, or resets the stream mid-answer', async () => {
    await expect(post('/silent', 300)).rejects.toMatchObject({
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
    const reset = await post('/reset').catch((error: unknown) => error);
    expect(reset).toMatchObject({ code: 'ERR_HTTP2_STREAM_ERROR' });
    // The senders' classification: the account's trouble for now, so the send is tried again.
    expect(networkFailure(reset)).toMatchObject({ ok: false, failure: 'account' });
    await expect(post('/json')).resolves.toEqual({ status: 201, body: { sid: 'SM1' } });
  });

  it('sends many at once, each answered by its own stream', async () => {
    routes.set('/echo', (r) => {
      r.writeHead(200, { 'content-type': 'application/json' });
      r.end(JSON.stringify({ url: seen.at(-1)?.url }));
    });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => post(`/echo?n=${i}`)));
    // Each answer is the one to its own request: streams are not crossed.
    expect(answers.map((a) => (a.body as { url: string }).url)).toEqual(
      Array.from({ length: 50 }, (_, i) => `/echo?n=${i}`),
    );
  });
});
