// The foundation's promise, end to end on real Kafka and PostgreSQL: a hook call goes in, the
// events cross gateway → audience → contact → delivery-whatsapp, the contact lands in the
// database, and the sandbox's WhatsApp Cloud API endpoint receives the rendered message.
import { eventually, json, startStack, testSpans, type Stack } from '@herald/testing';

interface SandboxMessages {
  messages: Array<{ to: string; text?: string; count: number }>;
}

describe('walking skeleton: hook → audience → contact → delivery → provider', () => {
  let stack: Stack;
  let hookUrl: string;
  let botToken: string;

  beforeAll(async () => {
    stack = await startStack();
    const bot = await stack.admin<{ id: string }>('POST', '/admin/bots', { name: 'Skeleton bot' });
    expect(bot.status).toBe(201);
    const token = await stack.admin<{ token: string }>(
      'POST',
      `/admin/bots/${bot.body.id}/tokens`,
      { name: 'ci' },
    );
    botToken = token.body.token;
    const channel = await stack.admin('POST', `/admin/bots/${bot.body.id}/channels`, {
      type: 'whatsapp',
      config: {
        phoneNumberId: '1065550001',
        accessToken: 'EAAG-test-token',
        enforceCustomerServiceWindow: false,
      },
    });
    expect(channel.status).toBe(201);
    const broadcast = await stack.admin<{ hookUrl: string; hookKey: string }>(
      'POST',
      `/admin/bots/${bot.body.id}/broadcasts`,
      {
        name: 'Greeting',
        content: { messages: [{ text: 'Hello {{first_name}}' }] },
      },
    );
    expect(broadcast.status).toBe(201);
    hookUrl = `${stack.gatewayUrl}/hooks/${broadcast.body.hookKey}`;
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('delivers "Hello Ada" to the sandbox and completes the run', async () => {
    const accepted = await json<{ success: boolean; run_id: string; scheduled_for: string }>(
      await fetch(hookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${botToken}` },
        body: JSON.stringify({
          targets: [{ user_id: '15551234567', bot_channel: 'whatsapp', first_name: 'Ada' }],
        }),
      }),
    );
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({
      success: true,
      run_id: expect.any(String),
      scheduled_for: expect.any(String),
    });

    const received = await eventually(async () => {
      const { body } = await json<SandboxMessages>(
        await fetch(`${stack.sandboxUrl}/sandbox/messages?channel=whatsapp&to=15551234567`),
      );
      return body.messages.find((m) => m.text === 'Hello Ada');
    }, 'the sandbox to receive "Hello Ada"');
    expect(received.count).toBe(1);

    const run = await eventually(async () => {
      const { body } = await stack.admin<{ status: string; counts: Record<string, number> }>(
        'GET',
        `/admin/runs/${accepted.body.run_id}`,
      );
      return body.status === 'completed' ? body : undefined;
    }, 'the run to complete');
    expect(run.counts).toMatchObject({ targeted: 1, sent: 1, failed: 0, skipped: 0 });

    // One trace runs from the hook call through every service to the send. The delivery service
    // counts the run as it records the send, so the last spans may end after the run completes.
    const expected = [
      'consume broadcast.requested.v1',
      'consume target.resolved.v1',
      'consume delivery.requested.whatsapp.v2',
      'consume delivery.result.v2',
    ];
    const consumed = await eventually(async () => {
      const spans = testSpans().getFinishedSpans();
      const hook = spans.find(
        (s) =>
          s.name === 'POST /hooks/:hookKey' && s.attributes['http.response.status_code'] === 200,
      );
      if (!hook) return undefined;
      const traceId = hook.spanContext().traceId;
      const names = spans.filter((s) => s.spanContext().traceId === traceId).map((s) => s.name);
      return expected.every((name) => names.includes(name)) ? names : undefined;
    }, 'one trace from the hook call to the result');
    expect(consumed).toEqual(expect.arrayContaining(expected));
  });

  it('answers 400 with a JSON error for malformed JSON', async () => {
    const response = await json<{ error: { code: string; message: string } }>(
      await fetch(hookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${botToken}` },
        body: '{"targets": [',
      }),
    );
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_INPUT');
    expect(response.body.error.message).toMatch(/not valid JSON/);
  });

  it('answers 404 for an unknown hook key and 401 without the bot token', async () => {
    const unknown = await fetch(`${stack.gatewayUrl}/hooks/no-such-key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unknown.status).toBe(404);
    const anonymous = await fetch(hookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ targets: [{ user_id: '15551234567', bot_channel: 'whatsapp' }] }),
    });
    expect(anonymous.status).toBe(401);
  });

  it('exposes Prometheus metrics: HTTP latency by route, events produced and consumed per topic', async () => {
    // A person without first_name: "Hello {{first_name}}" renders "Hello " and counts the gap.
    const nameless = await fetch(hookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${botToken}` },
      body: JSON.stringify({ targets: [{ user_id: '15551234568', bot_channel: 'whatsapp' }] }),
    });
    expect(nameless.status).toBe(200);
    await eventually(async () => {
      const { body } = await json<SandboxMessages>(
        await fetch(`${stack.sandboxUrl}/sandbox/messages?channel=whatsapp&to=15551234568`),
      );
      return body.messages.find((m) => m.text === 'Hello ');
    }, 'the sandbox to receive "Hello " (the missing name rendered empty)');
    const gateway = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    expect(gateway).toMatch(
      /herald_http_request_duration_seconds_count\{[^}]*route="\/hooks\/:hookKey"[^}]*\} [1-9]/,
    );
    expect(gateway).toMatch(
      /herald_kafka_events_produced_total\{[^}]*topic="broadcast.requested.v1"[^}]*\} [1-9]/,
    );
    expect(gateway).not.toContain(hookUrl.split('/hooks/')[1]);
    const delivery = await (await fetch(`${stack.urlOf('delivery-whatsapp')}/metrics`)).text();
    expect(delivery).toMatch(
      /herald_kafka_events_consumed_total\{[^}]*topic="delivery.requested.whatsapp.v2"[^}]*outcome="handled"[^}]*\} [1-9]/,
    );
    expect(delivery).toMatch(
      /herald_deliveries_total\{[^}]*channel="whatsapp"[^}]*status="sent"[^}]*\} [1-9]/,
    );
    expect(delivery).toMatch(/herald_breaker_state\{[^}]*channel="whatsapp"[^}]*\} 0/);
    expect(delivery).toMatch(
      /herald_pacing_wait_seconds_count\{[^}]*channel="whatsapp"[^}]*\} [1-9]/,
    );
    expect(delivery).toMatch(
      /herald_render_missing_variables_total\{[^}]*channel="whatsapp"[^}]*\} [1-9]/,
    );
  });

  it('serves liveness and readiness (Kafka and PostgreSQL reachable)', async () => {
    expect((await fetch(`${stack.gatewayUrl}/health/live`)).status).toBe(200);
    const ready = await json<{ status: string; info: Record<string, unknown> }>(
      await fetch(`${stack.gatewayUrl}/health/ready`),
    );
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.info)).toEqual(expect.arrayContaining(['postgres', 'kafka']));
  });
});
