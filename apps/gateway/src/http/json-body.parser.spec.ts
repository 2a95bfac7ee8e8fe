import Fastify from 'fastify';
import {
  MAX_JSON_DEPTH,
  gatewayJsonParser,
  jsonBodyProblem,
  type RawBodyRequest,
} from './json-body.parser.js';

const check = (text: string) => jsonBodyProblem(JSON.parse(text), Buffer.from(text))?.message;
const fieldOf = (text: string) => jsonBodyProblem(JSON.parse(text), Buffer.from(text))?.field;

describe('jsonBodyProblem', () => {
  it('accepts ordinary bodies, and a literal backslash-u0000 text', () => {
    expect(check('{"targets":[{"user_id":"1"}]}')).toBeUndefined();
    expect(check(JSON.stringify({ text: '\\u0000 is how JSON writes NUL' }))).toBeUndefined();
    expect(
      check(`{"a":${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}}`),
    ).toBeUndefined();
  });

  it('refuses the NUL character anywhere, keys included', () => {
    expect(check('{"a":"x\\u0000y"}')).toContain('NUL');
    expect(check('{"a\\u0000":1}')).toContain('NUL');
    expect(check('[["\\u0000"]]')).toContain('NUL');
  });

  it('refuses a lone UTF-16 surrogate anywhere, naming where, and accepts a well-formed pair (emoji)', () => {
    expect(check('{"targets":[{"first_name":"\\ud800"}]}')).toContain('lone UTF-16 surrogate');
    expect(fieldOf('{"targets":[{"first_name":"\\ud800"}]}')).toBe('body.targets[0].first_name');
    expect(check('{"\\udfff":1}')).toContain('lone UTF-16 surrogate');
    expect(check('{"a":"x\\uDBFFy"}')).toContain('lone UTF-16 surrogate');
    expect(check('{"a":"\\ud83c\\udf89"}')).toBeUndefined();
    expect(check(JSON.stringify({ a: '🎉' }))).toBeUndefined();
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH}`, () => {
    expect(check(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`)).toContain(
      'nested deeper',
    );
    expect(check(`${'{"a":'.repeat(200)}1${'}'.repeat(200)}`)).toContain('nested deeper');
  });
});

describe('gatewayJsonParser', () => {
  const parse = (raw: string) =>
    new Promise<{ error: Error | null; value: unknown; rawBody?: Buffer }>((resolve) => {
      const request = {} as RawBodyRequest;
      gatewayJsonParser(Fastify())(request, Buffer.from(raw), (error, value) =>
        resolve({ error, value, rawBody: request.rawBody }),
      );
    });

  it('keeps the raw bytes (webhook signatures) beside the parsed body', async () => {
    const raw = '{"entry": [{"id": "1"}]}';
    const { error, value, rawBody } = await parse(raw);
    expect(error).toBeNull();
    expect(value).toEqual({ entry: [{ id: '1' }] });
    expect(rawBody?.toString()).toBe(raw);
  });

  it('takes an empty body as no body, and refuses bad JSON, prototype keys and NUL', async () => {
    expect(await parse('')).toMatchObject({ error: null, value: undefined });
    expect((await parse('{"a":')).error).toMatchObject({ statusCode: 400 });
    expect((await parse('{"__proto__": {"x": 1}}')).error).toMatchObject({ statusCode: 400 });
    expect((await parse('{"a": "\\u0000"}')).error?.message).toContain('NUL');
  });
});
