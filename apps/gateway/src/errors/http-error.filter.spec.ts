import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { ErrorCode, HeraldError } from '@herald/errors';
import {
  clientErrors,
  defaultFix,
  describeHttpError,
  toErrorResponse,
  type ErrorBody,
} from './http-error.filter.js';
import { RetryLaterError } from './retry-later.error.js';

describe('describeHttpError', () => {
  it('maps Herald codes to statuses and keeps field and fix', () => {
    expect(
      describeHttpError(HeraldError.invalid('audience_values', 'bad', 'fix it')),
    ).toMatchObject({
      status: 400,
      code: ErrorCode.InvalidInput,
      field: 'audience_values',
      fix: 'fix it',
    });
    expect(describeHttpError(new HeraldError(ErrorCode.MethodNotAllowed, 'no')).status).toBe(405);
    expect(describeHttpError(new HeraldError(ErrorCode.PayloadTooLarge, 'big')).status).toBe(413);
  });

  it('sends Retry-After with a 429', () => {
    expect(describeHttpError(new RetryLaterError('slow down', 2))).toMatchObject({
      status: 429,
      headers: { 'retry-after': '2' },
    });
  });

  it("says Fastify's body errors plainly", () => {
    expect(
      describeHttpError({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: 'x' }),
    ).toMatchObject({
      status: 413,
      message: expect.stringContaining('1 MiB'),
    });
    expect(
      describeHttpError({
        statusCode: 400,
        code: 'FST_ERR_CTP_INVALID_JSON_BODY',
        message: 'Body is not valid JSON',
      }).message,
    ).toMatch(/^The request body is not valid JSON/);
    expect(
      describeHttpError({ statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }).message,
    ).toContain('application/json');
    expect(
      describeHttpError(new PayloadTooLargeException('Request body is too large')).message,
    ).toContain('1 MiB limit');
  });

  it('answers 503 with Retry-After, not 500, when the database or Kafka is not answering', () => {
    const stalled = Object.assign(new Error('query failed'), {
      name: 'QueryFailedError',
      driverError: Object.assign(new Error('canceling statement due to statement timeout'), {
        code: '57014',
      }),
    });
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    const kafka = Object.assign(new Error('broker gone'), { name: 'KafkaJSConnectionError' });
    for (const error of [stalled, down, kafka]) {
      const described = describeHttpError(error);
      expect(described).toMatchObject({
        status: 503,
        code: ErrorCode.DependencyUnavailable,
        headers: { 'retry-after': '5' },
      });
      // The driver's words (addresses, SQL) stay in the log.
      expect(described.message).not.toMatch(/5432|canceling|broker/);
      expect(described.fix).toContain('Idempotency-Key');
    }
  });

  it('keeps Nest exceptions and hides everything else behind a 500', () => {
    expect(describeHttpError(new NotFoundException('Cannot GET /x'))).toMatchObject({
      status: 404,
      code: ErrorCode.NotFound,
    });
    expect(describeHttpError(new BadRequestException(['a', 'b'])).message).toBe('a; b');
    expect(describeHttpError(new Error('secret detail'))).toMatchObject({
      status: 500,
      message: expect.not.stringContaining('secret'),
    });
  });

  it("gives every refusal a fix: the thrower's own, else one for its status (never for a 500)", () => {
    const body = (e: unknown) => toErrorResponse(e, 'cid').body.error;
    expect(body(HeraldError.invalid('audience_values', 'bad', 'fix it')).fix).toBe('fix it');
    expect(body(HeraldError.invalid('audience_values', 'bad')).fix).toMatch(/`audience_values`/);
    expect(body(new HeraldError(ErrorCode.Unauthorized, 'no token')).fix).toMatch(
      /Authorization: Bearer/,
    );
    expect(
      body({ statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY', message: 'Unexpected token' }),
    ).toMatchObject({
      field: 'body',
      fix: expect.stringMatching(/JSON/),
    });
    for (const status of [400, 401, 403, 404, 405, 409, 413, 415, 429, 503, 418])
      expect({ status, fix: typeof defaultFix({ status }) }).toEqual({ status, fix: 'string' });
    expect(defaultFix({ status: 500 })).toBeUndefined();
    expect(body(new Error('secret internals')).fix).toBeUndefined();
  });
});

describe('clientErrors', () => {
  const socket = (over: Partial<{ destroyed: boolean; writable: boolean }> = {}) => {
    const written: string[] = [];
    let destroyed = false;
    return {
      destroyed: over.destroyed ?? false,
      writable: over.writable ?? true,
      write: (data: string) => written.push(data),
      destroy: () => {
        destroyed = true;
      },
      written,
      wasDestroyed: () => destroyed,
    };
  };
  const answer = (raw: string) => {
    const [head, body] = raw.split('\r\n\r\n');
    return { status: Number(head.split(' ')[1]), head, body: JSON.parse(body) as ErrorBody };
  };

  it("answers what Node's parser refused in Herald's body, with a fix, and closes the socket", () => {
    const s = socket();
    clientErrors(Object.assign(new Error('overflow'), { code: 'HPE_HEADER_OVERFLOW' }), s);
    const { status, head, body } = answer(s.written[0]);
    expect(status).toBe(431);
    expect(head).toMatch(/Content-Length: \d+/);
    expect(body.error).toMatchObject({ code: 'INVALID_INPUT', fix: expect.any(String) });
    expect(s.wasDestroyed()).toBe(true);
    const garbage = socket();
    clientErrors(Object.assign(new Error('bad'), { code: 'HPE_INVALID_METHOD' }), garbage);
    expect(answer(garbage.written[0]).status).toBe(400);
  });

  it('writes nothing to a connection the client reset or that is gone', () => {
    const reset = socket();
    clientErrors(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), reset);
    const gone = socket({ destroyed: true });
    clientErrors(Object.assign(new Error('x'), { code: 'HPE_HEADER_OVERFLOW' }), gone);
    expect([...reset.written, ...gone.written]).toEqual([]);
  });
});
