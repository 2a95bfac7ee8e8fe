// Secrets stay secret: a hook key, a bot token (bearer, ?bot_token=, legacy ?token=), a provider
// credential or an Authorization header never reaches a log line (text and JSON formats, the
// gateway's 5xx line included), a metric label or a span attribute. A route that fails with a
// 500 carries them all, so every sink sees them at least once.
import { jest } from '@jest/globals';
import { Controller, Get, Module, Post, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Writable } from 'node:stream';
import {
  JsonLogger,
  MetricsRegistry,
  ObservabilityModule,
  instrumentHttp,
} from '@herald/observability';
import { createLogger, type BaseConfig } from '@herald/runtime';
import { testSpans } from '@herald/testing';
import { HttpErrorFilter } from '../../../apps/gateway/src/errors/http-error.filter.js';

const SECRETS = {
  hookKey: 'hk9SecretHookKey0000001',
  botToken: 'hrt_SecretBotToken00000002',
  legacyToken: 'LegacyQueryToken00000003',
  adminKey: 'hak_SecretAdminKey0000004',
  pageToken: 'EAAGSecretPageToken000000005',
  twilioBasic: Buffer.from('AC00000000000000000000000000000000:SecretTwilioAuth06').toString(
    'base64',
  ),
  apiKey: 'csml-x-api-key-secret-0000007',
};

@Controller()
class FailingController {
  @Get('hooks/:hookKey')
  hook(): never {
    throw new Error(
      `provider refused: {"accessToken":"${SECRETS.pageToken}"} Authorization: Basic ${SECRETS.twilioBasic}`,
    );
  }

  @Post('bots/:botId/users/:userId/send')
  send(): never {
    throw new Error(
      `upstream said no to https://graph.example.test/v21.0/me/messages?access_token=${SECRETS.pageToken}`,
    );
  }

  @Post('v1/api/broadcasts')
  csml(): never {
    throw new Error(`headers were {"x-api-key":"${SECRETS.apiKey}"}`);
  }
}

async function start(logger: LoggerService): Promise<NestFastifyApplication> {
  @Module({ imports: [ObservabilityModule.forRoot('gateway')], controllers: [FailingController] })
  class TestModule {}
  const app = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter(), {
    logger,
  });
  app.useGlobalFilters(new HttpErrorFilter());
  instrumentHttp(app, app.get(MetricsRegistry));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

async function callEveryRoute(app: NestFastifyApplication): Promise<number[]> {
  const fastify = app.getHttpAdapter().getInstance();
  const answers = await Promise.all([
    fastify.inject({
      method: 'GET',
      url: `/hooks/${SECRETS.hookKey}?bot_token=${SECRETS.botToken}`,
      headers: { authorization: `Bearer ${SECRETS.adminKey}` },
    }),
    fastify.inject({
      method: 'POST',
      url: `/bots/1/users/2/send?token=${SECRETS.legacyToken}`,
      payload: {},
    }),
    fastify.inject({
      method: 'POST',
      url: `/v1/api/broadcasts`,
      headers: { 'x-api-key': SECRETS.apiKey },
      payload: {},
    }),
  ]);
  return answers.map((a) => a.statusCode);
}

function expectNoSecret(where: string, text: string): void {
  const leaked = Object.entries(SECRETS)
    .filter(([, secret]) => text.includes(secret))
    .map(([name]) => name);
  expect({ where, leaked }).toEqual({ where, leaked: [] });
}

describe('secrets in logs, metrics and spans', () => {
  const spans = testSpans();

  it('the text format scrubs the 5xx line, its URL and its stack', async () => {
    const written: string[] = [];
    const out = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    const err = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    let app: NestFastifyApplication | undefined;
    try {
      app = await start(
        createLogger('gateway', { LOG_FORMAT: 'text', LOG_LEVEL: 'verbose' } as BaseConfig),
      );
      expect(await callEveryRoute(app)).toEqual([500, 500, 500]);
    } finally {
      await app?.close();
      out.mockRestore();
      err.mockRestore();
    }
    const text = written.join('');
    expect(text).toContain('/hooks/[redacted]?bot_token=[redacted] failed');
    expect(text).toContain('/bots/1/users/2/send?token=[redacted] failed');
    expectNoSecret('text log', text);
  });

  it('the JSON format scrubs the same lines', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = await start(new JsonLogger('gateway', 'verbose', stream));
    try {
      expect(await callEveryRoute(app)).toEqual([500, 500, 500]);
    } finally {
      await app.close();
    }
    const text = lines.join('');
    expect(text).toContain('/hooks/[redacted]?bot_token=[redacted] failed');
    expectNoSecret('JSON log', text);
  });

  it('metric labels carry the route pattern and spans no URL', async () => {
    spans.reset();
    const app = await start(
      createLogger('gateway', { LOG_FORMAT: 'text', LOG_LEVEL: 'fatal' } as BaseConfig),
    );
    try {
      await callEveryRoute(app);
      // A URL no route matches is counted under one label, never under its path.
      const missing = await app
        .getHttpAdapter()
        .getInstance()
        .inject({
          method: 'GET',
          url: `/hooks/${SECRETS.hookKey}/nope?token=${SECRETS.legacyToken}`,
        });
      expect(missing.statusCode).toBe(404);
      const scrape = await app
        .getHttpAdapter()
        .getInstance()
        .inject({ method: 'GET', url: '/metrics' });
      expect(scrape.body).toContain('route="unmatched"');
      expect(scrape.body).toContain('route="/hooks/:hookKey"');
      expect(scrape.body).toContain('route="/bots/:botId/users/:userId/send"');
      expectNoSecret('metrics', scrape.body);
    } finally {
      await app.close();
    }
    const finished = spans.getFinishedSpans();
    expect(finished.map((s) => s.name)).toEqual(
      expect.arrayContaining(['GET /hooks/:hookKey', 'POST /bots/:botId/users/:userId/send']),
    );
    const attributes = JSON.stringify(
      finished.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })),
    );
    expect(attributes).not.toMatch(/url\.full|http\.target|http\.url/);
    expectNoSecret('spans', attributes);
  });
});
