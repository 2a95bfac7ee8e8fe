// Serves the built console (apps/console → dist/console) at /console/ with a strict
// Content-Security-Policy: the bundle loads only its own scripts and styles and talks only to
// this origin. Without a build, /console/ says how to make one.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { GatewayConfig } from '../gateway.config.js';

export const CONSOLE_PATH = '/console/';

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export function consoleDir(config: GatewayConfig): string {
  return path.resolve(config.HERALD_CONSOLE_DIR || path.join(process.cwd(), 'dist', 'console'));
}

export function serveConsole(app: NestFastifyApplication): void {
  const root = consoleDir(app.get(GatewayConfig));
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/console', (_request, reply) => reply.redirect(CONSOLE_PATH));
  if (!existsSync(path.join(root, 'index.html'))) {
    fastify.get(CONSOLE_PATH, (_request, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(
          `The console is not built (no ${path.join(root, 'index.html')}). Run \`npm run build\`, or set HERALD_CONSOLE_DIR.`,
        ),
    );
    return;
  }
  app.useStaticAssets({
    root,
    prefix: CONSOLE_PATH,
    index: ['index.html'],
    // @fastify/static hands over Fastify's reply here (not the raw response).
    setHeaders: (response, file) => {
      const reply = response as unknown as { header(name: string, value: string): unknown };
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
      // Hashed asset names never change content; the page itself is always revalidated.
      reply.header(
        'cache-control',
        file.includes(`${path.sep}assets${path.sep}`)
          ? 'public, max-age=31536000, immutable'
          : 'no-cache',
      );
    },
  });
}
