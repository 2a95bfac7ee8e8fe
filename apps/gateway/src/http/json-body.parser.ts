// The gateway's JSON body parser. Beyond Fastify's own (prototype-poisoning checks, the body
// limit), it accepts an empty body sent with `Content-Type: application/json` (Chatfuel callers
// put every parameter in the query and still send that header), keeps the raw bytes on
// `request.rawBody` (webhook signatures are computed over them), and refuses what PostgreSQL or
// the serializers cannot take: the NUL character, lone UTF-16 surrogates and absurdly deep nesting.
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { illFormedString, mayBeIllFormed, type InputProblem } from '@herald/contracts';
import { HeraldError } from '@herald/errors';

export const MAX_JSON_DEPTH = 64;

export type RawBodyRequest = FastifyRequest & { rawBody?: Buffer };

/** Why a parsed body cannot be accepted, or undefined. `raw` lets the common case skip the walks. */
export function jsonBodyProblem(value: unknown, raw: Buffer): InputProblem | undefined {
  // NUL and lone surrogates can only arrive as escapes (\u0000, \ud800…): one scan rules them out.
  // Most bodies hold no escape at all: a byte search then saves turning the body into a string.
  if (raw.includes('\\u') && mayBeIllFormed(raw.toString('latin1'))) {
    const problem = illFormedString(value, 'body');
    if (problem) return problem;
  }
  // Nesting deeper than MAX_JSON_DEPTH needs more than 2 * MAX_JSON_DEPTH bytes of brackets.
  if (raw.length <= 2 * MAX_JSON_DEPTH) return undefined;
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH)
      return { field: 'body', message: `The body is nested deeper than ${MAX_JSON_DEPTH} levels.` };
    for (const child of Array.isArray(node) ? node : Object.values(node))
      stack.push({ node: child, depth: depth + 1 });
  }
  return undefined;
}

/** The parser itself: raw bytes kept, empty body allowed, NUL and deep nesting refused. */
export function gatewayJsonParser(
  fastify: FastifyInstance,
): (
  request: FastifyRequest,
  body: Buffer,
  done: (error: Error | null, value?: unknown) => void,
) => void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  return (request, body, done) => {
    (request as RawBodyRequest).rawBody = body;
    if (body.length === 0) {
      done(null, undefined);
      return;
    }
    void parseJson(request, body.toString('utf8'), (error, value) => {
      if (error) {
        done(error, undefined);
        return;
      }
      const problem = jsonBodyProblem(value, body);
      if (problem)
        done(
          HeraldError.invalid(
            problem.field,
            problem.message,
            'Send valid Unicode text: no NUL character, no lone UTF-16 surrogate.',
          ),
          undefined,
        );
      else done(null, value);
    });
  };
}

/** Refuses a URL holding an encoded NUL: it would reach PostgreSQL, which refuses it in text. */
export function refuseNulInUrl(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, next) => {
    if (/%00/i.test(request.url))
      next(HeraldError.invalid('url', 'The URL may not contain an encoded NUL character (%00).'));
    else next();
  });
}

/**
 * Installs the gateway's JSON parser in place of whichever is registered, as the last step of
 * Nest's init (after every module's onModuleInit, before Fastify starts): modules that swap
 * parsers while they initialise (the webhooks keep raw bodies too) do not undo it.
 */
@Injectable()
export class JsonBodyParserInstaller implements OnApplicationBootstrap {
  constructor(private readonly host: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const adapter = this.host.httpAdapter as unknown as FastifyAdapter;
    const fastify = adapter.getInstance();
    if (fastify.hasContentTypeParser('application/json'))
      fastify.removeContentTypeParser('application/json');
    adapter.useBodyParser('application/json', true, {}, gatewayJsonParser(fastify));
  }
}
