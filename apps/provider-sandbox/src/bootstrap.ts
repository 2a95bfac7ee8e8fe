// Builds the sandbox as a ready, not yet listening Nest app on Fastify, so main.ts, an
// all-in-one process or a test can host it (tests drive it with app.inject()).
import formbody from '@fastify/formbody';
import type { LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SandboxExceptionFilter } from './common/sandbox-exception.filter.js';
import { ProviderSandboxModule } from './provider-sandbox.module.js';
import type { SandboxSettings } from './sandbox.config.js';

export interface SandboxAppOptions {
  /** Settings laid over the SANDBOX_* environment variables. */
  config?: Partial<SandboxSettings>;
  /** Nest's logger option; `false` silences it (tests). */
  logger?: LoggerService | LogLevel[] | false;
}

export async function createSandboxApp(
  options: SandboxAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    logger: false,
    // Provider payloads are small; Graph and Twilio refuse far smaller bodies than this.
    bodyLimit: 1024 * 1024,
    // Benchmarks keep many connections open; do not cut idle keep-alive sockets early.
    keepAliveTimeout: 65_000,
    // Graph answers /v21.0/ as /v21.0 (batch requests are posted to either).
    routerOptions: { ignoreTrailingSlash: true },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    ProviderSandboxModule.forRoot(options.config),
    adapter,
    {
      // Fastify's own JSON parser plus @fastify/formbody (Twilio is form-encoded) below.
      bodyParser: false,
      abortOnError: false,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    },
  );
  await app.register(formbody);
  app.useGlobalFilters(new SandboxExceptionFilter());
  await app.init();
  return app;
}
