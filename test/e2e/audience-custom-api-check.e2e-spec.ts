// POST /admin/custom-api/check on the real gateway: the first pages of a From-API endpoint
// fetched and every problem reported with its page and a fix; bad input is a 400, no admin key a 401.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomApiServer, SECRET } from '../integration/audience/custom-api.server.js';
import { json, startStack, type Stack } from '@herald/testing';

interface Report {
  ok: boolean;
  problems: Array<{ page: number; problem: string; fix: string }>;
  pagesChecked: number;
  rows: number;
}

describe('POST /admin/custom-api/check', () => {
  const api = new CustomApiServer();
  const saved = process.env.CUSTOM_API_ALLOWED_HOSTS;
  let stack: Stack;
  let base: string;

  beforeAll(async () => {
    base = await api.start();
    // The gateway reads its CUSTOM_API_* settings from the environment when it boots.
    process.env.CUSTOM_API_ALLOWED_HOSTS = '127.0.0.1';
    stack = await startStack(['gateway']);
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await api.stop();
    if (saved === undefined) delete process.env.CUSTOM_API_ALLOWED_HOSTS;
    else process.env.CUSTOM_API_ALLOWED_HOSTS = saved;
  });

  const check = (body: unknown) => stack.admin<Report>('POST', '/admin/custom-api/check', body);

  it('reports a good endpoint: pages checked and rows, no problems', async () => {
    const response = await check({ endpoint: `${base}/good`, headers: { Authorization: SECRET } });
    expect(response).toEqual({
      status: 200,
      body: { ok: true, problems: [], pagesChecked: 3, rows: 6 },
    });
    expect(api.requestsTo('/good').map((r) => r.authorization)).toEqual([SECRET, SECRET, SECRET]);
  });

  it('reports each problem with its page and a fix, without echoing the headers', async () => {
    const big = await check({ endpoint: `${base}/second-big` });
    expect(big.status).toBe(200);
    expect(big.body).toMatchObject({
      ok: false,
      pagesChecked: 3,
      problems: [
        { page: 2, problem: expect.stringMatching(/512 rows; a page must hold fewer than 500/) },
      ],
    });
    const html = await check({ endpoint: `${base}/html` });
    expect(html.body.problems).toEqual([
      {
        page: 1,
        problem: expect.stringMatching(/is not JSON/),
        fix: expect.stringMatching(/"list"/),
      },
    ]);
    const denied = await check({
      endpoint: `${base}/good`,
      headers: { Authorization: 'Bearer do-not-echo' },
    });
    expect(denied.body.problems[0]).toMatchObject({
      page: 1,
      problem: expect.stringMatching(/answered 401/),
    });
    expect(JSON.stringify(denied.body)).not.toContain('do-not-echo');
    const metadata = await check({ endpoint: 'http://169.254.169.254/latest/meta-data/' });
    expect(metadata.body).toMatchObject({
      ok: false,
      problems: [{ page: 1, problem: expect.stringMatching(/metadata address/) }],
    });
  });

  it('answers 400 naming the problem for bad input, and 401 without the admin key', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /endpoint must be an http\(s\) URL/],
      [{ endpoint: 'not a url' }, /is not a URL/],
      [{ endpoint: 'ftp://example.com/list' }, /http or https/],
      [
        { endpoint: `${base}/good`, headers: { Authorization: 42 } },
        /headers must be an object of header names to text values/,
      ],
      [{ endpoint: `${base}/good`, extra: true }, /Unknown field\(s\): extra/],
      [[1, 2], /must be a JSON object/],
    ];
    for (const [body, message] of cases) {
      const response = await check(body);
      expect([JSON.stringify(body), response.status]).toEqual([JSON.stringify(body), 400]);
      expect((response.body as unknown as { error: { message: string } }).error.message).toMatch(
        message,
      );
    }
    const anonymous = await fetch(`${stack.gatewayUrl}/admin/custom-api/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: `${base}/good` }),
    });
    expect((await json(anonymous)).status).toBe(401);
  });
});
