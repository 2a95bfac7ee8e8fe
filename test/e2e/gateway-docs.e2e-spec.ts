// docs/api.md's curl commands, run as written (one bash session, in order) against the whole
// stack: the caller guide cannot drift from what the gateway does. A non-2xx answer fails the
// step; the sandbox must then hold what each API was asked to send.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { ADMIN_KEY, eventually, startStack, type Stack } from '@herald/testing';
import { sandboxTexts } from '../integration/gateway/gateway-harness.js';

const run = promisify(execFile);

describe('docs/api.md, run as written', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('every curl answers 2xx, and the people get their messages', async () => {
    const guide = readFileSync('docs/api.md', 'utf8');
    const blocks = [...guide.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThanOrEqual(7);
    // curl fails on a non-2xx answer (printing it), and so does the script.
    const script = [
      'set -euo pipefail',
      'curl() { command curl --fail-with-body "$@"; echo; }',
      ...blocks,
    ].join('\n');
    const { stdout } = await run('bash', ['-c', script], {
      env: { ...process.env, HERALD: stack.gatewayUrl, ADMIN_KEY },
      timeout: 60_000,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(
        `the guide's commands failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`,
      );
    });
    expect(stdout).toContain('"success":true');
    const expected: Array<['whatsapp' | 'messenger', string, string]> = [
      ['whatsapp', '15551234567', 'Hi Ada, order A-1001 has shipped.'], // hook targets, CSML flow
      ['messenger', '2411000000000001', 'Hi Grace, order A-1001 has shipped.'], // V1
      ['whatsapp', '15551234567', 'Your order has shipped, Ada.'], // V2
    ];
    for (const [channel, to, text] of expected) {
      await eventually(
        async () => (await sandboxTexts(stack.sandboxUrl, channel, to)).includes(text),
        `${to} to receive "${text}"`,
      );
    }
  }, 90_000);
});
