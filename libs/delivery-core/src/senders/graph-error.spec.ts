import { graphFailure } from './graph-error.js';
import { networkFailure } from './http.js';

const codes = {
  retriable: new Set([130429, 131056, 131000, 2]),
  tripping: new Set([130429, 131000, 2, 190]),
  refusals: new Set([190]),
  advice: { 131026: 'the number is not on WhatsApp' },
};
const graph = (status: number, code?: number, extra: Record<string, unknown> = {}) =>
  graphFailure(
    status,
    code === undefined
      ? '<html>bad gateway</html>'
      : { error: { code, message: `(#${code}) x`, ...extra } },
    codes,
  );

describe('Meta Graph and network error classification', () => {
  it('classifies Graph errors by code, whatever the HTTP status', () => {
    expect(graph(429, 131056)).toMatchObject({
      failure: 'transient',
      code: '131056',
    });
    expect(graph(400, 130429)).toMatchObject({ failure: 'account' });
    expect(graph(400, 131026)).toMatchObject({
      failure: 'permanent',
      reason: '(#131026) x — the number is not on WhatsApp',
    });
    expect(graph(400, 10, { error_subcode: 2018278 })).toMatchObject({
      code: '10/2018278',
      failure: 'permanent',
    });
  });

  it("marks the account's own refusals (an invalid token) as refused: failure account, opening no breaker", () => {
    expect(graph(401, 190)).toMatchObject({ failure: 'account', code: '190', refused: true });
    expect(graph(400, 130429)).not.toHaveProperty('refused');
    expect(graph(503)).not.toHaveProperty('refused');
  });

  it('treats 5xx and unparseable 429s as provider trouble', () => {
    expect(graph(503, 131016)).toMatchObject({ failure: 'account' });
    expect(graph(502)).toMatchObject({ failure: 'account', code: 'HTTP_502' });
    expect(graph(429)).toMatchObject({ failure: 'account' });
    expect(graph(404)).toMatchObject({ failure: 'permanent' });
  });

  it('treats timeouts and refused connections as provider trouble', () => {
    const timeout = Object.assign(new Error('Headers Timeout Error'), {
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
    expect(networkFailure(timeout)).toMatchObject({
      failure: 'account',
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
  });
});
