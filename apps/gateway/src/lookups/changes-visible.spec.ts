// Which answers wait for this instance to see the database's change notification: successful
// writes outside the public APIs, and nothing else.
import { afterEach, describe, expect, it } from '@jest/globals';
import Fastify, { type FastifyInstance } from 'fastify';
import { answerWritesOnceVisible } from './changes-visible.js';
import type { PgNotifications } from './pg-notifications.service.js';

describe('answerWritesOnceVisible', () => {
  let app: FastifyInstance | undefined;
  afterEach(() => app?.close());

  /**
   * A server whose every route answers `status`; the syncs its hook started, held open; and a
   * promise settled when the first one starts.
   */
  async function serve(status = 200) {
    const syncs: Array<() => void> = [];
    let started!: () => void;
    const firstSync = new Promise<void>((resolve) => (started = resolve));
    const notifications = {
      sync: () =>
        new Promise<void>((resolve) => {
          syncs.push(resolve);
          started();
        }),
    } as unknown as PgNotifications;
    app = Fastify();
    answerWritesOnceVisible(app, notifications);
    app.all('/*', async (_request, reply) => reply.code(status).send({ ok: status < 400 }));
    await app.ready();
    return { app, syncs, firstSync };
  }

  it('holds a successful admin write until the notification arrived, then answers it as it was', async () => {
    const { app, syncs, firstSync } = await serve();
    let answered = false;
    const response = app.inject({ method: 'POST', url: '/admin/bots/b/tokens/t/revoke' });
    void response.then(() => (answered = true));
    await firstSync;
    expect(syncs).toHaveLength(1);
    expect(answered).toBe(false);
    syncs[0]();
    const answer = await response;
    expect([answer.statusCode, answer.json()]).toEqual([200, { ok: true }]);
  });

  it.each([
    ['a read', 'GET', '/admin/bots'],
    ['a hook call', 'POST', '/hooks/abc'],
    ['a Chatfuel V1 call', 'POST', '/bots/b/users/u/send'],
    ['a Chatfuel V2 call', 'POST', '/v2/b/send'],
    ['a CSML call', 'POST', '/v1/api/broadcasts'],
    ['a provider webhook', 'POST', '/webhooks/whatsapp'],
  ] as const)('answers %s at once', async (_, method, url) => {
    const { app, syncs } = await serve();
    expect((await app.inject({ method, url })).statusCode).toBe(200);
    expect(syncs).toHaveLength(0);
  });

  it('answers a refused write at once: it changed nothing', async () => {
    const { app, syncs } = await serve(409);
    expect((await app.inject({ method: 'DELETE', url: '/admin/bots/b' })).statusCode).toBe(409);
    expect(syncs).toHaveLength(0);
  });
});
