// The CSML-style Broadcasts API (seed 003) through the whole pipeline, called with the seed's own
// curl command (only the host and the key filled in): the flow's block reaches the user, the
// answer has the seed's shape, and an unknown user is not an error but a skip in the run.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eventually, json, startStack, type Stack } from '@herald/testing';
import { createBot, finishedRun, sandboxTexts } from '../integration/gateway/gateway-harness.js';

const run = promisify(execFile);

// Seed 003's request example, verbatim.
const SEED_CURL = `curl "https://clients.csml.dev/v1/api/broadcasts" \\
     -H 'content-type: application/json' \\
     -H 'accept: application/json' \\
     -H 'x-api-key: \${X-API-KEY}' \\
     -d $'{
  "payload": {
    "content": {
      "flow_id": "myflow"
    },
    "content_type": "flow_trigger"
  },
  "client": {
    "user_id": "some-user-id"
  },
  "metadata": {
    "somekey": "somevalue"
  }
}'`;

interface CsmlAnswer {
  request_id: string;
  client: { user_id: string; bot_id: string; channel_id: string };
  payload: { content_type: string; content: { flow_id: string; close_flows: boolean } };
  metadata?: Record<string, unknown>;
}

describe('CSML-style broadcasts, end to end', () => {
  let stack: Stack;
  let bot: Awaited<ReturnType<typeof createBot>>;
  const post = (body: unknown, headers: Record<string, string> = { 'x-api-key': bot.token }) =>
    fetch(`${stack.gatewayUrl}/v1/api/broadcasts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    stack = await startStack();
    bot = await createBot(stack, {
      name: 'CSML bot',
      channels: ['messenger'],
      blocks: { myflow: [{ text: 'Hello from myflow, {{first_name}} ({{payload.somekey}})' }] },
    });
    const imported = await stack.admin('POST', `/admin/bots/${bot.botId}/contacts`, [
      { channel: 'messenger', user_id: 'some-user-id', variables: { first_name: 'Ada' } },
    ]);
    expect(imported.status).toBe(200);
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("works with the seed's curl command as written (host and key filled in)", async () => {
    const command = SEED_CURL.replace('https://clients.csml.dev', stack.gatewayUrl).replace(
      '${X-API-KEY}',
      bot.token,
    );
    const { stdout } = await run('bash', [
      '-c',
      `${command} --silent --show-error --write-out '\\n%{http_code}'`,
    ]);
    const [body, status] = [
      stdout.slice(0, stdout.lastIndexOf('\n')),
      stdout.slice(stdout.lastIndexOf('\n') + 1),
    ];
    expect(status).toBe('200');
    const answer = JSON.parse(body) as CsmlAnswer;
    expect(answer).toEqual({
      request_id: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      ),
      client: { user_id: 'some-user-id', bot_id: bot.botId, channel_id: bot.channelIds.messenger },
      payload: { content_type: 'flow_trigger', content: { flow_id: 'myflow', close_flows: true } },
      metadata: { somekey: 'somevalue' },
    });
    await eventually(
      async () =>
        (await sandboxTexts(stack.sandboxUrl, 'messenger', 'some-user-id')).includes(
          'Hello from myflow, Ada (somevalue)',
        ),
      'some-user-id to receive the flow',
    );
    expect(await finishedRun(stack.admin, answer.request_id)).toMatchObject({
      status: 'completed',
      counts: { targeted: 1, sent: 1 },
    });
  });

  it('an unknown user is not an error: 200, and the run shows them skipped', async () => {
    const answer = await json<CsmlAnswer>(
      await post({
        payload: {
          content_type: 'flow_trigger',
          content: { flow_id: bot.blockIds.myflow, close_flows: false },
        },
        client: { user_id: 'nobody-here' },
      }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.payload.content).toEqual({
      flow_id: bot.blockIds.myflow,
      close_flows: false,
    });
    expect(answer.body.metadata).toBeUndefined();
    expect(await finishedRun(stack.admin, answer.body.request_id)).toMatchObject({
      status: 'completed',
      counts: { targeted: 1, sent: 0, skipped: 1 },
    });
  });

  it('answers 401 without a valid key and 400 naming the field otherwise', async () => {
    const body = {
      payload: { content_type: 'flow_trigger', content: { flow_id: 'myflow' } },
      client: { user_id: 'some-user-id' },
    };
    expect((await post(body, {})).status).toBe(401);
    expect((await post(body, { 'x-api-key': 'hrt_wrong' })).status).toBe(401);
    const cases: Array<[unknown, string]> = [
      [{ ...body, client: {} }, 'client.user_id'],
      [
        { ...body, payload: { content_type: 'text', content: { flow_id: 'myflow' } } },
        'payload.content_type',
      ],
      [
        { ...body, payload: { content_type: 'flow_trigger', content: { flow_id: 'nope' } } },
        'payload.content.flow_id',
      ],
    ];
    for (const [request, field] of cases) {
      const answer = await json<{ error: { code: string; field: string } }>(await post(request));
      expect(answer).toMatchObject({
        status: 400,
        body: { error: { code: 'INVALID_INPUT', field } },
      });
    }
  });
});
