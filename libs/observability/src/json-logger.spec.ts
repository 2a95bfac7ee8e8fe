import { Writable } from 'node:stream';
import { JsonLogger, scrub } from './json-logger.js';

function capture(): { lines: Array<Record<string, unknown>>; stream: Writable } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with the service and context', async () => {
    const { lines, stream } = capture();
    new JsonLogger('audience', 'log', stream).log('run 42 resolved', 'ResolveAudienceService');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({
      service: 'audience',
      context: 'ResolveAudienceService',
      msg: 'run 42 resolved',
      level: 30,
    });
  });

  it('carries a run id as a field of its own, beside the scrubbed message', async () => {
    const { lines, stream } = capture();
    const runId = '0b8e8a3c-5f0e-4a8e-9d43-6a1f2b3c4d5e';
    new JsonLogger('audience', 'log', stream).warn(
      { msg: `run ${runId} failed: Bearer hrt_abcdefghijkl`, runId },
      'ResolveAudienceService',
    );
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({
      service: 'audience',
      context: 'ResolveAudienceService',
      runId,
      level: 40,
    });
    expect(lines[0].msg).toMatch(new RegExp(`^run ${runId} failed: Bearer…\\[redacted\\]`));
  });

  it('never writes a token, in fields or in messages', async () => {
    const { lines, stream } = capture();
    const logger = new JsonLogger('gateway', 'log', stream);
    logger.log({
      msg: 'call',
      headers: { authorization: 'Bearer hrt_abcdefghijkl' },
      token: 'hrt_abcdefghijkl',
    });
    logger.warn('refused Authorization: Bearer hrt_abcdefghijkl for hak_zzzzzzzzzzzz');
    await new Promise((r) => setImmediate(r));
    const text = JSON.stringify(lines);
    expect(text).not.toContain('abcdefghijkl');
    expect(text).not.toContain('zzzzzzzzzzzz');
  });

  it('scrubs hook keys, query tokens, provider credentials and auth headers from any text', () => {
    const line = scrub(
      'GET /hooks/hk_live_Key123?bot_token=abc123&x=1 failed; ?token=legacy9 access_token=EAAGxxxxxxxxxxxxxxxxxx ' +
        'Authorization: Basic QUM6c2VjcmV0 {"authToken":"tw1l10","x-api-key":"csml-key"} route /hooks/:hookKey',
    );
    for (const secret of [
      'hk_live_Key123',
      'abc123',
      'legacy9',
      'EAAGxxxxxxxxxxxxxxxxxx',
      'QUM6c2VjcmV0',
      'tw1l10',
      'csml-key',
    ]) {
      expect([secret, line.includes(secret)]).toEqual([secret, false]);
    }
    expect(line).toContain('/hooks/[redacted]?bot_token=[redacted]&x=1');
    expect(line).toContain('route /hooks/:hookKey');
  });

  it('scrubs strings inside structured fields too', async () => {
    const { lines, stream } = capture();
    new JsonLogger('gateway', 'log', stream).error({
      msg: 'failed',
      url: '/hooks/hk_secret_1?bot_token=t0k3n',
      nested: { note: 'Bearer abcdef123456' },
    });
    await new Promise((r) => setImmediate(r));
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/hk_secret_1|t0k3n|abcdef123456/);
  });

  it('leaves ordinary text alone', () => {
    expect(scrub('sent 10 messages to +15551234567')).toBe('sent 10 messages to +15551234567');
  });
});
