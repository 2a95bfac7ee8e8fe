// An operator's write (admin API, console) (revoke a token, regenerate a hook key, disable a broadcast) answers only
// once this instance has received the database's change notification: notifications arrive in
// commit order, so by then every other gateway has it too, and the very next public call, on
// any instance, sees the change.
import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { from, mergeMap, type Observable } from 'rxjs';
import { PgNotifications } from './pg-notifications.service.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The public APIs and provider webhooks change no cached configuration: no wait on their path. */
const PUBLIC = /^\/(hooks|bots|v2|v1\/api|public|webhooks)\//;

@Injectable()
export class ChangesVisibleInterceptor implements NestInterceptor {
  constructor(private readonly notifications: PgNotifications) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (READS.has(request.method) || PUBLIC.test(request.url)) return next.handle();
    return next
      .handle()
      .pipe(mergeMap((value: unknown) => from(this.notifications.sync().then(() => value))));
  }
}
