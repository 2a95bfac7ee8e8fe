import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { startService } from '@herald/runtime';
import {
  CONTACT_IMPORT_BODY_LIMIT,
  CONTACT_IMPORT_ROUTE,
} from './admin/admin-contacts.controller.js';
import { serveConsole } from './console/console-static.js';
import { clientErrors, frameworkErrors } from './errors/http-error.filter.js';
import { GatewayConfig } from './gateway.config.js';
import { GatewayModule } from './gateway.module.js';
import { refuseNulInUrl } from './http/json-body.parser.js';
import { answerWritesOnceVisible } from './lookups/changes-visible.js';
import { PgNotifications } from './lookups/pg-notifications.service.js';
import { setupOpenApi } from './openapi/openapi.setup.js';

/** The seeds' cap on a POST body: 1 MiB, exactly. */
export const BODY_LIMIT = 1024 * 1024;

export async function startGateway(config: GatewayConfig): Promise<NestFastifyApplication> {
  if (!config.HERALD_ADMIN_KEY) {
    if (config.NODE_ENV === 'production')
      throw new Error('HERALD_ADMIN_KEY must be set in production');
    config.HERALD_ADMIN_KEY = `hak_${randomBytes(18).toString('base64url')}`;
    console.log(`HERALD_ADMIN_KEY was not set; generated for this run: ${config.HERALD_ADMIN_KEY}`);
  }
  return startService({
    service: 'gateway',
    module: GatewayModule.forRoot(config),
    config,
    port: config.PORT,
    consumes: false,
    bodyLimit: BODY_LIMIT,
    frameworkErrors,
    clientErrorHandler: clientErrors,
    configure: (app) => configureGateway(app),
  });
}

/**
 * HTTP details of the gateway: per-route body limits, the URL check, writes answered once visible
 * everywhere, the OpenAPI document (JSON parsing: JsonBodyParserInstaller).
 */
export function configureGateway(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  // Runs as Nest registers its routes (at init, after this): the operators' bulk import may be
  // larger than the public APIs' 1 MiB.
  fastify.addHook('onRoute', (route) => {
    if (route.url === CONTACT_IMPORT_ROUTE && route.method === 'POST')
      route.bodyLimit = CONTACT_IMPORT_BODY_LIMIT;
  });
  refuseNulInUrl(fastify);
  answerWritesOnceVisible(fastify, app.get(PgNotifications));
  setupOpenApi(app);
  serveConsole(app);
}
