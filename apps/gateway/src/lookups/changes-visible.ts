// An operator's write (admin API, console: revoke a token, regenerate a hook key, disable a
// broadcast) answers only once this instance has received the database's change notification:
// notifications arrive in commit order, so by then every other gateway has it too, and the very
// next public call, on any instance, sees the change.
//
// A Fastify hook rather than a Nest interceptor: a route with no interceptor skips the rxjs
// Nest wraps each handler in when one exists, which the public routes' hot path does not pay.
import type { FastifyInstance } from 'fastify';
import type { PgNotifications } from './pg-notifications.service.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The public APIs and provider webhooks change no cached configuration: no wait on their path. */
const PUBLIC = /^\/(hooks|bots|v2|v1\/api|public|webhooks)\//;

/** Holds every successful write's answer until this instance has seen its change notification. */
export function answerWritesOnceVisible(
  fastify: FastifyInstance,
  notifications: PgNotifications,
): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode >= 400 || READS.has(request.method) || PUBLIC.test(request.url)) {
      done(null, payload);
      return;
    }
    // sync() settles by itself (on the notification, or after its own timeout); the answer goes
    // out either way.
    const send = () => done(null, payload);
    notifications.sync().then(send, send);
  });
}
