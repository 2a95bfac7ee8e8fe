// A local HTTP server for unit tests of provider senders: records every request it is sent and
// answers each with what `answer` makes of it (the n-th request is n = 1, 2, …).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface RecordingServer {
  /** `http://127.0.0.1:<port>/` */
  baseUrl: string;
  /** Requests in the order they ended; empty it between tests (`seen.length = 0`). */
  seen: RecordedRequest[];
  close(): Promise<void>;
}

export async function startRecordingServer(
  answer: (request: RecordedRequest, n: number) => { status: number; json: unknown },
): Promise<RecordingServer> {
  const seen: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = { path: req.url ?? '', headers: req.headers, body };
      seen.push(request);
      const { status, json } = answer(request, seen.length);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
