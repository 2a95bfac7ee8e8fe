// A customer's "From API" endpoint (seed 004) for tests: good paging, and every way a page can
// be wrong (too many rows, not JSON, wrong shape, slow, flaky, down, a paging loop).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SECRET = 'Bearer cust-secret-7f3a';

export interface Received {
  path: string;
  next: string | null;
  authorization: string | undefined;
  custom: string | undefined;
}

const rows = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ uid: `u${from + i}`, msg: `Hi u${from + i}` }));

export class CustomApiServer {
  readonly received: Received[] = [];
  private server?: Server;
  private flakyCalls = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  requestsTo(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const next = url.searchParams.get('next');
    this.received.push({
      path: url.pathname,
      next,
      authorization: req.headers.authorization,
      custom: req.headers['x-custom'] as string | undefined,
    });
    const json = (body: unknown, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    switch (url.pathname) {
      case '/good':
        if (req.headers.authorization !== SECRET) return json({ error: 'unauthorised' }, 401);
        if (next === null) return json({ list: rows(1, 3), next: 'p2' });
        if (next === 'p2') return json({ list: rows(4, 2), next: 'p3' });
        return json({ list: rows(6, 1), next: '' });
      case '/empty-end':
        return next === null
          ? json({ list: rows(1, 2), next: 'more' })
          : json({ list: [], next: 'ignored' });
      case '/second-big':
        if (next === null) return json({ list: rows(1, 2), next: 'p2' });
        return next === 'p2'
          ? json({ list: rows(10, 512), next: 'p3' })
          : json({ list: rows(600, 1), next: '' });
      case '/big':
        return json({ list: rows(1, 500), next: '' });
      case '/html':
        res.writeHead(200, { 'content-type': 'text/html' });
        return void res.end('<html><body>Maintenance</body></html>');
      case '/shape':
        return json({ items: rows(1, 2) });
      case '/bad-rows':
        return json({
          list: [{ uid: 'u1', msg: 'ok' }, { msg: 'no uid' }, { uid: 'u3' }],
          next: null,
        });
      case '/loop':
        return json({ list: rows(1, 1), next: 'same' });
      case '/flaky':
        this.flakyCalls += 1;
        if (this.flakyCalls % 2 === 1) return json({ error: 'try again' }, 503);
        return json({ list: rows(1, 2), next: null });
      case '/slow': {
        // Answers too late; gives up as soon as the client hangs up, so no timer outlives a test.
        let timer: NodeJS.Timeout | undefined;
        const hungUp = new Promise<boolean>((resolve) => res.on('close', () => resolve(true)));
        const late = await Promise.race([
          hungUp,
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 2000))),
        ]);
        clearTimeout(timer);
        return late ? undefined : json({ list: rows(1, 1), next: null });
      }
      case '/down':
        return json({ error: 'down' }, 500);
      case '/redirect':
        res.writeHead(302, { location: '/good' });
        return void res.end();
      default:
        return json({ error: 'not found' }, 404);
    }
  }
}
