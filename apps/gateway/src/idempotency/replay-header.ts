import type { FastifyReply } from 'fastify';
import type { Answer } from './idempotency.service.js';

/** Marks a replayed answer with `Idempotent-Replayed: true` and returns its body. */
export function replayHeader<T>(reply: FastifyReply, answer: Answer<T>): T {
  if (answer.replayed) void reply.header('idempotent-replayed', 'true');
  return answer.body;
}
