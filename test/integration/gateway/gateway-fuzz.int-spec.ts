// Thousands of malformed and half-valid requests at every gateway endpoint (fast-check, injected
// into the real gateway on real Kafka and PostgreSQL): none may get a 5xx, and the process keeps
// answering. Inputs mix random JSON, broken JSON, random bytes, mutations of valid payloads, odd
// headers, and path and query values no caller should send (NUL, huge numbers, prototype keys).
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { createBot, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

// Bounded: the whole property runs for at most this long (CI budget), even if numRuns is not reached.
const TIME_LIMIT_MS = 40_000;
const RUNS = 5_000;

describe('gateway under malformed requests (property)', () => {
  let h: GatewayHarness;
  let fixture: Awaited<ReturnType<typeof createBot>>;
  let hookKey: string;
  let directKey: string;
  let broadcastId: string;

  beforeAll(async () => {
    h = await startGatewayHarness();
    fixture = await createBot(h, {
      channels: ['whatsapp', 'messenger'],
      blocks: { welcome: [{ text: 'Hi {{first_name}}' }] },
      rateLimitRps: 1000,
    });
    const strict = await h.admin<{ id: string; hookKey: string }>(
      'POST',
      `/admin/bots/${fixture.botId}/broadcasts`,
      {
        name: 'strict',
        content: { blockId: 'welcome' },
      },
    );
    hookKey = strict.body.hookKey;
    broadcastId = strict.body.id;
    const loose = await h.admin<{ hookKey: string }>(
      'POST',
      `/admin/bots/${fixture.botId}/broadcasts`,
      {
        name: 'loose',
        content: { messages: [{ text: '{{payload.x}}' }] },
        settings: { directMode: true, requireValidFilter: false, legacyMode: true },
      },
    );
    directKey = loose.body.hookKey;
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it(`answers ${RUNS} random requests without a 5xx and stays up`, async () => {
    const scalar = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom(
        '',
        ' ',
        ';',
        ';;',
        ',',
        'Equals;Cointains',
        'whatsapp',
        'messenger',
        'sms',
        '\u0000',
        'welcome',
        '1e400',
        '-1',
        '43201',
      ),
    );
    const value = fc.oneof(
      { depthSize: 'small' },
      scalar,
      fc.array(scalar, { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 4 }),
    );
    const hookFields = [
      'audience_filters',
      'audience_criteria',
      'audience_values',
      'audience_join',
      'set_variables',
      'set_variables_values',
      'set_conversation',
      'delayminutes',
      'targets',
    ];
    const targetsValue = fc.array(
      fc.record(
        { user_id: value, bot_channel: value, user_phone_number: value, first_name: value },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    );
    const hookBody = fc.record(
      Object.fromEntries(
        hookFields.map((f) => [f, f === 'targets' ? fc.oneof(targetsValue, value) : value]),
      ),
      { requiredKeys: [] },
    );
    const v2Body = fc.record(
      Object.fromEntries(
        [
          'customer_id',
          'customer_email',
          'customer_phone',
          'customer_fbid',
          'block_id',
          'messages',
          'notification_messages_token',
          'one_time_notif_token',
          'priority',
        ].map((f) => [
          f,
          f === 'messages'
            ? fc.oneof(
                fc.array(fc.record({ text: value }, { requiredKeys: [] }), { maxLength: 3 }),
                value,
              )
            : value,
        ]),
      ),
      { requiredKeys: [] },
    );
    const csmlBody = fc.record(
      {
        payload: fc.oneof(
          fc.record(
            {
              content_type: fc.oneof(fc.constant('flow_trigger'), value),
              content: fc.oneof(
                fc.record({ flow_id: value, close_flows: value }, { requiredKeys: [] }),
                value,
              ),
            },
            { requiredKeys: [] },
          ),
          value,
        ),
        client: fc.oneof(
          fc.record({ user_id: value, channel_id: value, bot_id: value }, { requiredKeys: [] }),
          value,
        ),
        metadata: value,
      },
      { requiredKeys: [] },
    );
    const adminBody = fc.record(
      {
        name: value,
        content: fc.oneof(
          fc.record({ blockId: value, messages: value }, { requiredKeys: [] }),
          value,
        ),
        audience: value,
        recipients: value,
        settings: fc.oneof(
          fc.dictionary(fc.constantFrom('enabled', 'allowedHosts', 'directMode', 'x'), value),
          value,
        ),
        type: value,
        config: value,
        messages: value,
        rateLimitRps: value,
      },
      { requiredKeys: [] },
    );
    const importBody = fc.array(
      fc.record(
        {
          channel: value,
          user_id: value,
          phone: value,
          email: value,
          fbid: value,
          variables: value,
        },
        { requiredKeys: [] },
      ),
      { maxLength: 5 },
    );

    const structured = fc.oneof(
      hookBody,
      v2Body,
      csmlBody,
      adminBody,
      importBody,
      fc.jsonValue({ maxDepth: 4 }),
    );
    const payload = fc.oneof(
      structured.map((b) => JSON.stringify(b)),
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      fc.constantFrom(
        '',
        '{',
        '{"targets": [',
        'null',
        '"text"',
        '{"__proto__": {"polluted": true}}',
        '{"constructor": {"prototype": {"polluted": true}}}',
        `${'['.repeat(5000)}${']'.repeat(5000)}`,
        '{"a":"\\u0000"}',
        '{"delayminutes": 1e400}',
        '{"targets":[{"user_id":"\\ud800"}]}',
      ),
    );
    const segment = fc.oneof(
      fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent),
      fc.constantFrom(
        '%00',
        '..',
        '%2e%2e',
        'a%2Fb',
        '00000000-0000-0000-0000-000000000000',
        'x'.repeat(300),
      ),
    );
    const query = fc
      .dictionary(
        fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.constantFrom(
            'bot_token',
            'chatfuel_token',
            'block_name',
            'block_id',
            'messaging_tag',
            'chatfuel_x',
            'token',
            'cursor',
            'limit',
            'status',
            '__proto__',
          ),
        ),
        fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.constantFrom(
            '%00',
            'CONFIRMED_EVENT_UPDATE',
            '"HUMAN_AGENT"',
            'welcome',
            '0',
            '1001',
            'sent',
          ),
        ),
        { maxKeys: 4 },
      )
      .map((q) => new URLSearchParams(q).toString());
    // Mostly JSON, so most requests reach the parsers rather than stopping at a 415.
    const contentType = fc.oneof(
      { arbitrary: fc.constant('application/json'), weight: 6 },
      { arbitrary: fc.constant(undefined), weight: 1 },
      {
        arbitrary: fc.constantFrom(
          'application/json; charset=utf-8',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'garbage',
          'application/xml',
        ),
        weight: 2,
      },
    );
    const token = fc.oneof(
      fc.constant(() => fixture.token),
      fc.string({ maxLength: 30 }).map((s) => () => s),
    );
    const route = fc.oneof(
      fc.record({
        method: fc.constantFrom('POST', 'GET', 'PUT', 'DELETE', 'HEAD', 'OPTIONS'),
        path: fc.oneof(
          fc.constant(() => `/hooks/${hookKey}`),
          fc.constant(() => `/hooks/${directKey}`),
          segment.map((s) => () => `/hooks/${s}`),
        ),
      }),
      fc.record({
        method: fc.constant('POST'),
        path: fc.tuple(fc.oneof(fc.constant('BOT'), segment), segment).map(
          ([b, u]) =>
            () =>
              `/bots/${b === 'BOT' ? fixture.botId : b}/users/${u}/send`,
        ),
      }),
      fc.record({
        method: fc.constant('POST'),
        path: fc
          .tuple(fc.constantFrom('/v2/', '/public/bots/'), fc.oneof(fc.constant('BOT'), segment))
          .map(
            ([p, b]) =>
              () =>
                `${p}${b === 'BOT' ? fixture.botId : b}/send`,
          ),
      }),
      fc.record({
        method: fc.constantFrom('POST', 'GET'),
        path: fc.constant(() => '/v1/api/broadcasts'),
      }),
      fc.record({
        method: fc.constantFrom('POST', 'GET', 'PATCH', 'DELETE'),
        path: fc
          .tuple(
            fc.constantFrom(
              'bots',
              'bots/BOT',
              'bots/BOT/tokens',
              'bots/BOT/channels',
              'bots/BOT/blocks',
              'bots/BOT/broadcasts',
              'bots/BOT/contacts',
              'broadcasts/BC',
              'broadcasts/BC/hook-key',
              'runs/RUN',
              'runs/RUN/deliveries',
              'runs/RUN/cancel',
              'custom-api/check',
              'bots/SEG',
            ),
            segment,
          )
          .map(
            ([p, s]) =>
              () =>
                `/admin/${p.replace('BOT', fixture.botId).replace('BC', broadcastId).replace('RUN', '4c5e7a3b-2d1f-4e6a-9b8c-7d6e5f4a3b2c').replace('SEG', s)}`,
          ),
      }),
      fc.record({
        method: fc.constantFrom('GET', 'POST'),
        path: segment.map((s) => () => `/${s}`),
      }),
    );
    const request = fc.record({
      route,
      query,
      payload,
      contentType,
      auth: fc.oneof(
        fc.constant(undefined),
        token.map((t) => () => `Bearer ${t()}`),
        fc.string({ maxLength: 30 }).map((s) => () => s),
      ),
      apiKey: fc.option(token, { nil: undefined }),
      admin: fc.boolean(),
      idempotencyKey: fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.uuid()), {
        nil: undefined,
      }),
    });

    let count = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        if (r.contentType) headers['content-type'] = r.contentType;
        if (r.admin) headers.authorization = 'Bearer test-admin-key-0123456789';
        else if (r.auth) headers.authorization = r.auth();
        if (r.apiKey) headers['x-api-key'] = r.apiKey();
        if (r.idempotencyKey !== undefined && /^[\x20-\x7e]*$/.test(r.idempotencyKey))
          headers['idempotency-key'] = r.idempotencyKey;
        const options: InjectOptions = {
          method: r.route.method,
          url: `${r.route.path()}${r.query ? `?${r.query}` : ''}`,
          headers,
          ...(['GET', 'HEAD', 'OPTIONS'].includes(r.route.method) ? {} : { payload: r.payload }),
        };
        const response = await h.app.inject(options);
        count++;
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        if (response.statusCode >= 500) {
          throw new Error(
            `${options.method} ${options.url} → ${response.statusCode} ${response.body.slice(0, 300)}`,
          );
        }
        // Every refusal says what is wrong and what to do: Herald's body with a message and a
        // fix, or on the Chatfuel-style paths their own body with a sentence.
        if (response.statusCode >= 400 && options.method !== 'HEAD') {
          let body: {
            error?: { message?: unknown; fix?: unknown };
            success?: unknown;
            result?: unknown;
          };
          try {
            body = JSON.parse(response.body) as typeof body;
          } catch {
            throw new Error(
              `${options.method} ${options.url} → ${response.statusCode} without a JSON body: ${response.body.slice(0, 200)}`,
            );
          }
          const explained = body.error
            ? typeof body.error.message === 'string' &&
              body.error.message.length > 0 &&
              typeof body.error.fix === 'string' &&
              body.error.fix.length > 0
            : body.success === false && typeof body.result === 'string' && body.result.length > 0;
          if (!explained)
            throw new Error(
              `${options.method} ${options.url} → ${response.statusCode} without a message and a fix: ${response.body.slice(0, 300)}`,
            );
        }
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
    // Enough requests ran to mean something, and most were refused for a reason (4xx).
    expect(count).toBeGreaterThanOrEqual(1_000);
    const live = await fetch(`${h.url}/health/live`);
    expect(live.status).toBe(200);
    // Some requests must get through the checks, or the property tests only the front door.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  }, 90_000);
});
