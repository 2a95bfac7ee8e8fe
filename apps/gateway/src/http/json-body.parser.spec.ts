import { HeraldError } from '@herald/errors';
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
      gatewayJsonParser(request, Buffer.from(raw), (error, value) =>
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

  /** The 400 a body gets: its message and fix, which must name the problem. */
  const refusal = async (raw: string) => {
    const { error } = await parse(raw);
    expect(error).toBeInstanceOf(HeraldError);
    const { message, fix, field } = error as HeraldError;
    return { message, fix, field };
  };

  it('takes an empty body as no body', async () => {
    expect(await parse('')).toMatchObject({ error: null, value: undefined });
  });

  it('says where JSON breaks, not only that it does', async () => {
    const broken = await refusal('{"targets": [{"user_id": "1",}]}');
    expect(broken.message).toMatch(/^The request body is not valid JSON: .*position \d+/);
    expect(broken.fix).toContain('trailing comma');
    expect(broken.field).toBe('body');
    expect((await refusal('{"a":')).message).toMatch(/not valid JSON/);
    // V8 quotes part of the body: a huge body is not echoed back whole.
    expect((await refusal(`{"a": "${'x'.repeat(100_000)}`)).message.length).toBeLessThan(300);
  });

  it('names a prototype key as the problem, not the JSON, which is valid', async () => {
    const proto = await refusal('{"targets": [{"__proto__": {"admin": true}}]}');
    expect(proto.message).toMatch(/^The body holds a "__proto__" key/);
    expect(proto.message).not.toMatch(/not valid JSON/);
    expect(proto.fix).toBe('Rename or remove those keys.');
    const ctor = await refusal('{"constructor": {"prototype": {"x": 1}}}');
    expect(ctor.message).toContain('"constructor" key with a "prototype" key');
    // A key named constructor without a prototype inside is harmless, and kept.
    expect(await parse('{"constructor": "Ada"}')).toMatchObject({ error: null });
  });

  it('gives each refusal its own fix', async () => {
    expect(await refusal('{"a": "\\u0000"}')).toMatchObject({
      message: expect.stringContaining('NUL'),
      fix: expect.stringContaining('NUL'),
    });
    const deep = await refusal(
      `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`,
    );
    expect(deep.message).toContain('nested deeper');
    expect(deep.fix).toContain('Flatten');
    expect(deep.fix).not.toContain('Unicode');
  });
});
