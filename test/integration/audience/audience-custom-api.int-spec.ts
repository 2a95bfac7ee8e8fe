// From-API recipients through the real audience app: a broadcast whose recipients are the
// customer's endpoint is resolved page by page into targets with their own text; a wrong page
// fails the run with a reason naming the page; internal addresses are refused.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AudienceHarness } from './audience.harness.js';
import { CustomApiServer, SECRET } from './custom-api.server.js';

describe('From-API recipients (real Kafka, PostgreSQL and HTTP)', () => {
  const h = new AudienceHarness();
  const api = new CustomApiServer();
  let base: string;
  let botId: string;

  beforeAll(async () => {
    await h.prepare();
    base = await api.start();
    botId = await h.createBot();
    await h.start({
      CUSTOM_API_ALLOWED_HOSTS: '127.0.0.1',
      CUSTOM_API_TIMEOUT_MS: '400',
      CUSTOM_API_RETRIES: '2',
      CUSTOM_API_RETRY_BASE_MS: '20',
    });
  }, 60_000);

  afterAll(async () => {
    await h.close();
    await api.stop();
  });

  async function runFor(path: string, headers?: Record<string, string>, extra = {}) {
    const broadcastId = await h.createBroadcast(botId, {
      recipients: { endpoint: `${base}${path}`, headers },
    });
    const request = h.request(botId, { broadcastId, content: undefined, ...extra });
    await h.publish([request]);
    const run = (await h.settled([request.runId])).get(request.runId)!;
    return { run, pages: (await h.pages()).get(request.runId) ?? [] };
  }

  it('pages through the endpoint with next=<token>: each row a target with its own message', async () => {
    const { run, pages } = await runFor('/good', { Authorization: SECRET, 'X-Custom': 'kept' });
    expect(pages.map((p) => p.page)).toEqual([0, 1, 2]);
    expect(pages.flatMap((p) => p.targets)).toEqual(
      ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].map((uid) => ({
        userId: uid,
        message: `Hi ${uid}`,
        create: false,
      })),
    );
    expect(pages[0].messages).toEqual([{ text: 'Saved content' }]);
    expect(run).toMatchObject({ status: 'delivering', targeted: 6 });
    // A page that ran past the 400 ms timeout on a busy machine is fetched again (the designed
    // retry), so the requests are compared page by page: each page asked for in order, each with
    // the broadcast's headers.
    const requests = api.requestsTo('/good');
    expect(requests.map((r) => [r.authorization, r.custom])).toEqual(
      requests.map(() => [SECRET, 'kept']),
    );
    expect(
      requests.map((r) => r.next).filter((next, i, all) => i === 0 || next !== all[i - 1]),
    ).toEqual([null, 'p2', 'p3']);
  });

  it('an empty page ends the list; singleContact takes the first row only', async () => {
    expect((await runFor('/empty-end')).run.targeted).toBe(2);
    const single = await runFor(
      '/good',
      { Authorization: SECRET },
      { options: { singleContact: true } },
    );
    expect(single.pages.flatMap((p) => p.targets)).toEqual([
      { userId: 'u1', message: 'Hi u1', create: false },
    ]);
  });

  it('a page of 500 rows or more fails the run, naming the page and the limit', async () => {
    const { run, pages } = await runFor('/second-big');
    expect(run.status).toBe('failed');
    expect(run.reason).toMatch(
      /From-API recipients \(http:\/\/127\.0\.0\.1:\d+\/second-big\), page 2: holds 512 rows; a page must hold fewer than 500/,
    );
    // The first page was valid and is out already.
    expect(pages.map((p) => p.targets.length)).toEqual([2]);
  });

  it('a non-JSON or wrongly shaped page fails the run with the reason', async () => {
    expect((await runFor('/html')).run.reason).toMatch(/page 1: is not JSON/);
    expect((await runFor('/shape')).run.reason).toMatch(/page 1: has no "list" array/);
    expect((await runFor('/loop')).run.reason).toMatch(/page 2: returned the same "next" token/);
  });

  it('retries a flaky page; a page that never answers in time fails the run after the retries', async () => {
    expect((await runFor('/flaky')).run).toMatchObject({ status: 'delivering', targeted: 2 });
    const before = api.requestsTo('/slow').length;
    const slow = await runFor('/slow');
    expect(slow.run.reason).toMatch(/page 1: .*did not answer within 400 ms/);
    expect(api.requestsTo('/slow').length - before).toBe(3);
  });

  it('never calls an internal address that is not allowed, and never reveals the headers', async () => {
    const metadata = await h.createBroadcast(botId, {
      recipients: {
        endpoint: 'http://169.254.169.254/latest/meta-data/',
        headers: { Authorization: SECRET },
      },
    });
    const request = h.request(botId, { broadcastId: metadata, content: undefined });
    await h.publish([request]);
    const refused = (await h.settled([request.runId])).get(request.runId)!;
    expect(refused.status).toBe('failed');
    expect(refused.reason).toMatch(/169\.254\.169\.254 is a metadata address/);
    expect(refused.reason).not.toContain(SECRET);
    const unauthorised = await runFor('/good', { Authorization: 'Bearer leaked?' });
    expect(unauthorised.run.reason).toMatch(/page 1: answered 401/);
    expect(unauthorised.run.reason).not.toContain('leaked');
  });
});
