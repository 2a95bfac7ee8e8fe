// Handler-level tests of the admin controllers: one controller with the real AdminGuard (the
// admin key; no console session) and the global validation pipe and filter, its service faked.
import type { Provider, Type } from '@nestjs/common';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { ConsoleAccessService } from '../console/console-access.service.js';
import { startApiHarness, type ApiHarness } from './api.harness.js';

export const ADMIN_KEY = 'hak_handler_test_admin_key';

export interface AdminHarness extends ApiHarness {
  /** A request with the admin key (and a JSON body when given). */
  admin(
    method: InjectOptions['method'],
    url: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse>;
}

export async function startAdminHarness(
  controller: Type,
  providers: Provider[],
): Promise<AdminHarness> {
  const h = await startApiHarness({
    controller,
    config: { HERALD_ADMIN_KEY: ADMIN_KEY },
    providers: [
      { provide: ConsoleAccessService, useValue: { hasSession: () => false } },
      ...providers,
    ],
  });
  return {
    ...h,
    admin: (method, url, payload) =>
      h.request({
        method,
        url,
        headers: {
          authorization: `Bearer ${ADMIN_KEY}`,
          ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
      }),
  };
}
