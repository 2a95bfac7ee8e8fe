// The gateway's JSON body parser. Beyond Fastify's own (prototype-poisoning checks, the body
// limit), it accepts an empty body sent with `Content-Type: application/json` (Chatfuel callers
// put every parameter in the query and still send that header), keeps the raw bytes on
// `request.rawBody` (webhook signatures are computed over them), and refuses what PostgreSQL or
// the serializers cannot take: the NUL character, lone UTF-16 surrogates and absurdly deep nesting.
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as secureJsonParse } from 'secure-json-parse';
import { illFormedString, mayBeIllFormed, type InputProblem } from '@herald/contracts';
import { HeraldError } from '@herald/errors';

export const MAX_JSON_DEPTH = 64;

export type RawBodyRequest = FastifyRequest & { rawBody?: Buffer };

/** What is wrong with a body, and what the caller can do about it. */
export type BodyProblem = InputProblem & { fix: string };

const UNICODE_FIX = 'Send valid Unicode text: no NUL character, no lone UTF-16 surrogate.';
const DEPTH_FIX = `Flatten the body: no value in it may sit inside more than ${MAX_JSON_DEPTH} arrays or objects.`;
const SYNTAX_FIX =
  'Send one JSON value (an object for every Herald API), with double-quoted keys and strings and no trailing comma.';
/** The longest parser message quoted back: V8 quotes part of the body in it. */
const SYNTAX_MESSAGE_MAX = 200;

/** Why a parsed body cannot be accepted, or undefined. `raw` lets the common case skip the walks. */
export function jsonBodyProblem(value: unknown, raw: Buffer): BodyProblem | undefined {
  // NUL and lone surrogates can only arrive as escapes (\u0000, \ud800…): one scan rules them out.
  // Most bodies hold no escape at all: a byte search then saves turning the body into a string.
  if (raw.includes('\\u') && mayBeIllFormed(raw.toString('latin1'))) {
    const problem = illFormedString(value, 'body');
    if (problem) return { ...problem, fix: UNICODE_FIX };
  }
  // Nesting deeper than MAX_JSON_DEPTH needs more than 2 * MAX_JSON_DEPTH bytes of brackets.
  if (raw.length <= 2 * MAX_JSON_DEPTH) return undefined;
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH)
      return {
        field: 'body',
        message: `The body is nested deeper than ${MAX_JSON_DEPTH} levels.`,
        fix: DEPTH_FIX,
      };
    for (const child of Array.isArray(node) ? node : Object.values(node))
      stack.push({ node: child, depth: depth + 1 });
  }
  return undefined;
}

/**
 * Parses a body as Fastify's own parser does (secure-json-parse: a `__proto__` key, or a
 * `constructor` holding `prototype`, is refused, as either could alter objects the body is copied
 * into), but says what is wrong instead of Fastify's one sentence for every failure.
 */
function parseJsonBody(text: string): { value: unknown } | { problem: BodyProblem } {
  try {
    return {
      value: secureJsonParse(text, undefined, { protoAction: 'error', constructorAction: 'error' }),
    };
  } catch (error) {
    const said = (error as Error).message;
    // secure-json-parse says the same for both keys.
    if (/forbidden prototype property/.test(said))
      return {
        problem: {
          field: 'body',
          message:
            'The body holds a "__proto__" key, or a "constructor" key with a "prototype" key inside, which Herald refuses.',
          fix: 'Rename or remove those keys.',
        },
      };
    const detail =
      said.length > SYNTAX_MESSAGE_MAX ? `${said.slice(0, SYNTAX_MESSAGE_MAX)}…` : said;
    return {
      problem: {
        field: 'body',
        message: `The request body is not valid JSON: ${detail}`,
        fix: SYNTAX_FIX,
      },
    };
  }
}

/** A body's value, or why it cannot be accepted: bad JSON, prototype keys, NUL, deep nesting. */
function readJsonBody(body: Buffer): { value: unknown } | { problem: BodyProblem } {
  const parsed = parseJsonBody(body.toString('utf8'));
  if ('problem' in parsed) return parsed;
  const problem = jsonBodyProblem(parsed.value, body);
  return problem ? { problem } : parsed;
}

/** The parser itself: raw bytes kept, empty body allowed, whatever readJsonBody refuses refused. */
export function gatewayJsonParser(
  request: FastifyRequest,
  body: Buffer,
  done: (error: Error | null, value?: unknown) => void,
): void {
  (request as RawBodyRequest).rawBody = body;
  if (body.length === 0) {
    done(null, undefined);
    return;
  }
  const read = readJsonBody(body);
  if ('problem' in read) {
    const { field, message, fix } = read.problem;
    done(HeraldError.invalid(field, message, fix), undefined);
  } else done(null, read.value);
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
    adapter.useBodyParser('application/json', true, {}, gatewayJsonParser);
  }
}
