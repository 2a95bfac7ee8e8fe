import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorCode, HeraldError } from '@herald/errors';
import { ConsoleAccessService } from '../console/console-access.service.js';
import { GatewayConfig } from '../gateway.config.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `Authorization: Bearer <HERALD_ADMIN_KEY>` on every admin route (programs), or a console
 * session cookie, whose operator's role and bots ConsoleAccessService checks for the route.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(
    config: GatewayConfig,
    private readonly console: ConsoleAccessService,
  ) {
    if (!config.HERALD_ADMIN_KEY) throw new Error('HERALD_ADMIN_KEY is not set');
    this.expected = digest(config.HERALD_ADMIN_KEY);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (request.headers.authorization === undefined && this.console.hasSession(request))
      return this.console.authorize(request);
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) {
      throw new HeraldError(
        ErrorCode.Unauthorized,
        'The admin API needs "Authorization: Bearer <HERALD_ADMIN_KEY>" (or a console session).',
      );
    }
    if (!timingSafeEqual(digest(match[1].trim()), this.expected)) {
      throw new HeraldError(ErrorCode.Unauthorized, 'The admin key is not valid.');
    }
    return true;
  }
}
