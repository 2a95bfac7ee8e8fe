// The From-API client against a real local HTTP server: paging, page validation, retries,
// timeouts, the circuit breaker per host, and the SSRF guard (literal addresses and names that
// resolve to internal addresses, refused unless allowed).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomApiClient, CustomApiProblem, type CustomApiOptions } from '@herald/custom-api';
import { CustomApiServer, SECRET } from './custom-api.server.js';

describe('From-API client (real HTTP, real DNS)', () => {
  const server = new CustomApiServer();
  const clients: CustomApiClient[] = [];
  let base: string;
  let port: string;

  const client = (options: Partial<CustomApiOptions> = {}) => {
    const c = new CustomApiClient({
      allowedHosts: ['127.0.0.1'],
      timeoutMs: 500,
      retries: 0,
      retryBaseMs: 20,
      ...options,
    });
    clients.push(c);
    return c;
  };

  const problemOf = async (promise: Promise<unknown>): Promise<CustomApiProblem> => {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(CustomApiProblem);
      return error as CustomApiProblem;
    }
    throw new Error('expected a CustomApiProblem');
  };

  beforeAll(async () => {
    base = await server.start();
    port = new URL(base).port;
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    await server.stop();
  });

  it('pages with next=<token>, sending the caller’s headers as given', async () => {
    const c = client();
    const target = {
      endpoint: `${base}/good`,
      headers: { Authorization: SECRET, 'X-Custom': 'kept' },
    };
    const first = await c.fetchPage(target, null, 1);
    const second = await c.fetchPage(target, first.next, 2);
    const third = await c.fetchPage(target, second.next, 3);
    expect([first, second, third].map((p) => [p.rows.map((r) => r.uid), p.next])).toEqual([
      [['u1', 'u2', 'u3'], 'p2'],
      [['u4', 'u5'], 'p3'],
      [['u6'], null],
    ]);
    expect(first.rows[0]).toEqual({ uid: 'u1', msg: 'Hi u1' });
    expect(server.requestsTo('/good').map((r) => [r.next, r.authorization, r.custom])).toEqual([
      [null, SECRET, 'kept'],
      ['p2', SECRET, 'kept'],
      ['p3', SECRET, 'kept'],
    ]);
  });

  it('names the page and the problem, with a fix, and never the headers', async () => {
    const c = client();
    const cases: Array<[string, RegExp]> = [
      ['/big', /page 1: holds 500 rows; a page must hold fewer than 500/],
      ['/html', /page 1: is not JSON \(it starts with "<html><body>Maintenance/],
      ['/shape', /page 1: has no "list" array/],
      ['/bad-rows', /page 1: has 2 invalid row\(s\): row 2 has no uid; row 3 has no msg/],
      ['/good', /answered 401: not authorised/],
      ['/redirect', /answered 302 \(a redirect\)/],
      ['/nowhere', /answered 404/],
    ];
    for (const [path, expected] of cases) {
      const problem = await problemOf(
        c.fetchPage(
          { endpoint: `${base}${path}`, headers: { Authorization: 'Bearer wrong-secret' } },
          null,
          1,
        ),
      );
      expect([path, problem.message]).toEqual([path, expect.stringMatching(expected)]);
      expect(problem.fix.length).toBeGreaterThan(10);
      expect(`${problem.message} ${problem.fix}`).not.toContain('wrong-secret');
    }
  });

  it('retries transient failures with backoff; gives up with a timeout reason', async () => {
    const flaky = await client({ retries: 2 }).fetchPage({ endpoint: `${base}/flaky` }, null, 1);
    expect(flaky.rows).toHaveLength(2);
    expect(server.requestsTo('/flaky')).toHaveLength(2);
    const started = Date.now();
    const slow = await problemOf(
      client({ retries: 1, timeoutMs: 300 }).fetchPage({ endpoint: `${base}/slow` }, null, 4),
    );
    expect(slow.message).toMatch(/page 4: .*\/slow did not answer within 300 ms/);
    expect(slow.transient).toBe(true);
    expect(server.requestsTo('/slow')).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('opens a circuit breaker for a failing host and then fails fast without calling it', async () => {
    const c = client({ breakerResetMs: 60_000 });
    for (let i = 0; i < 5; i++) await problemOf(c.fetchPage({ endpoint: `${base}/down` }, null, 1));
    const calls = server.requestsTo('/down').length;
    const open = await problemOf(c.fetchPage({ endpoint: `${base}/good` }, null, 1));
    expect(open.message).toMatch(/circuit breaker is open/);
    expect(open.transient).toBe(true);
    expect(server.requestsTo('/down')).toHaveLength(calls);
    // Another client (another process) keeps its own breakers.
    expect(
      (
        await client().fetchPage(
          { endpoint: `${base}/good`, headers: { Authorization: SECRET } },
          null,
          1,
        )
      ).rows,
    ).toHaveLength(3);
  });

  it('refuses loopback, private, link-local and metadata addresses unless allowed', async () => {
    const strict = client({ allowedHosts: [] });
    const refused: Array<[string, RegExp]> = [
      [`http://127.0.0.1:${port}/good`, /loopback/],
      [`http://localhost:${port}/good`, /loopback/], // a name: checked on the address it resolves to
      [`http://[::1]:${port}/good`, /loopback/],
      [`http://[::ffff:127.0.0.1]:${port}/good`, /loopback/],
      ['http://2130706433/good', /loopback/], // 127.0.0.1 written as a number
      ['http://10.1.2.3/x', /private/],
      ['http://192.168.0.10/x', /private/],
      ['http://172.20.0.1/x', /private/],
      ['http://169.254.169.254/latest/meta-data/', /metadata/],
      ['http://169.254.10.10/x', /link-local/],
      ['http://[fe80::1]/x', /link-local/],
      ['http://[fd00:ec2::254]/x', /metadata/],
      ['http://0.0.0.0/x', /unspecified/],
    ];
    for (const [endpoint, kind] of refused) {
      const problem = await problemOf(strict.fetchPage({ endpoint }, null, 1));
      expect([endpoint, problem.message]).toEqual([endpoint, expect.stringMatching(kind)]);
      expect(problem.transient).toBe(false);
    }
    expect(
      server.received.filter((r) => r.path === '/good' && r.authorization === undefined),
    ).toHaveLength(0);
    await expect(
      problemOf(strict.fetchPage({ endpoint: 'ftp://example.com/x' }, null, 1)),
    ).resolves.toMatchObject({
      problem: expect.stringMatching(/http or https/),
    });
    const allowed = {
      endpoint: `http://localhost:${port}/good`,
      headers: { Authorization: SECRET },
    };
    expect(
      (await client({ allowedHosts: ['127.0.0.1', '::1'] }).fetchPage(allowed, null, 1)).rows,
    ).toHaveLength(3);
    expect(
      (await client({ allowedHosts: ['localhost'] }).fetchPage(allowed, null, 1)).rows,
    ).toHaveLength(3);
    expect(
      (await client({ allowedHosts: ['127.0.0.0/8', '::1/128'] }).fetchPage(allowed, null, 1)).rows,
    ).toHaveLength(3);
    expect(
      (await client({ allowedHosts: [], allowPrivate: true }).fetchPage(allowed, null, 1)).rows,
    ).toHaveLength(3);
  });

  it('checks an endpoint: pages checked, rows, and every problem with its page and fix', async () => {
    const c = client();
    expect(await c.check({ endpoint: `${base}/good`, headers: { Authorization: SECRET } })).toEqual(
      { ok: true, problems: [], pagesChecked: 3, rows: 6 },
    );
    expect(await c.check({ endpoint: `${base}/empty-end` })).toEqual({
      ok: true,
      problems: [],
      pagesChecked: 2,
      rows: 2,
    });
    const big = await c.check({ endpoint: `${base}/second-big` });
    expect(big).toMatchObject({ ok: false, pagesChecked: 3, rows: 515 });
    expect(big.problems).toEqual([
      {
        page: 2,
        problem: 'holds 512 rows; a page must hold fewer than 500',
        fix: expect.stringContaining('499'),
      },
    ]);
    const loop = await c.check({ endpoint: `${base}/loop` });
    expect(loop.problems).toEqual([
      { page: 2, problem: expect.stringMatching(/same "next" token/), fix: expect.any(String) },
    ]);
    const refused = await client({ allowedHosts: [] }).check({
      endpoint: 'http://169.254.169.254/latest',
    });
    expect(refused).toMatchObject({
      ok: false,
      pagesChecked: 1,
      rows: 0,
      problems: [{ page: 1, problem: expect.stringMatching(/metadata/) }],
    });
  });
});
