import {
  startRecordingServer,
  type RecordedRequest,
  type RecordingServer,
} from '@herald/testing/recording-server';
import { GraphBatcher } from './graph-batch.js';

describe('GraphBatcher on the wire', () => {
  let server: RecordingServer;
  let baseUrl: string;
  let seen: RecordedRequest[];

  beforeAll(async () => {
    // A batch gets one answer per operation, a plain request its own.
    server = await startRecordingServer(({ body }) => {
      const batch = (JSON.parse(body) as { batch?: unknown[] }).batch;
      return {
        status: 200,
        json: batch
          ? batch.map((_, i) => ({ code: 200, body: JSON.stringify({ message_id: `m${i}` }) }))
          : { message_id: 'alone' },
      };
    });
    ({ baseUrl, seen } = server);
  });

  afterAll(() => server.close());
  beforeEach(() => (seen.length = 0));

  it('posts the sends of one turn as one batch whose operation bodies read back as their fields', async () => {
    const batcher = new GraphBatcher(50, 5_000);
    const target = { baseUrl, apiVersion: 'v21.0', token: 'page-token' };
    const texts = ['Hi Ada', "a+b=c & d%20e\nnew line 👋 ~!*()'"];
    const answers = await Promise.all(
      texts.map((text, i) =>
        batcher.post(target, {
          path: 'me/messages',
          fields: {
            recipient: { id: `psid-${i}` },
            messaging_type: 'MESSAGE_TAG',
            message: { text },
            tag: undefined,
          },
        }),
      ),
    );
    expect(answers).toEqual([
      { status: 200, body: { message_id: 'm0' } },
      { status: 200, body: { message_id: 'm1' } },
    ]);
    expect(seen).toHaveLength(1);
    expect(seen[0].path).toBe('/v21.0/');
    expect(seen[0].headers.authorization).toBe('Bearer page-token');
    const { batch } = JSON.parse(seen[0].body) as {
      batch: Array<{ method: string; relative_url: string; body: string }>;
    };
    expect(
      batch.map((op) => ({ ...op, body: Object.fromEntries(new URLSearchParams(op.body)) })),
    ).toEqual(
      texts.map((text, i) => ({
        method: 'POST',
        relative_url: 'v21.0/me/messages',
        body: {
          recipient: JSON.stringify({ id: `psid-${i}` }),
          messaging_type: 'MESSAGE_TAG',
          message: JSON.stringify({ text }),
        },
      })),
    );
  });

  it('posts a lone send as the plain request', async () => {
    const batcher = new GraphBatcher(50, 5_000);
    await expect(
      batcher.post(
        { baseUrl, apiVersion: 'v21.0', token: 't' },
        { path: 'me/messages', fields: { recipient: { id: 'p' }, message: { text: 'x' } } },
      ),
    ).resolves.toEqual({ status: 200, body: { message_id: 'alone' } });
    expect(seen.map((r) => [r.path, JSON.parse(r.body)])).toEqual([
      ['/v21.0/me/messages', { recipient: { id: 'p' }, message: { text: 'x' } }],
    ]);
  });
});
