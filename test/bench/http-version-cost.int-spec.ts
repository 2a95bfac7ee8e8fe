// Keeps bench/http-version-cost.mjs working (docs/benchmark.md cites it): a run at a CI size
// reports both HTTP versions with every request answered, and a bad argument is refused by name.
// Only the shape of the report is asserted, never a figure: CI machines are shared and slow.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(ROOT, 'bench', 'http-version-cost.mjs');
const run = promisify(execFile);

describe('bench/http-version-cost.mjs', () => {
  it('measures HTTP/1.1 and h2c in turn, each side apart', async () => {
    const { stdout } = await run(
      process.execPath,
      [SCRIPT, '--requests', '1000', '--in-flight', '16', '--rounds', '1'],
      { cwd: ROOT, timeout: 60_000 },
    );
    const line = (version: string) =>
      new RegExp(
        `^round 1  ${version} +[\\d,]+/s  client \\d+\\.\\d{4}  server \\d+\\.\\d{4}$`,
        'm',
      );
    expect(stdout).toMatch(/^1000 POSTs, 16 in flight/m);
    expect(stdout).toMatch(line('http1'));
    expect(stdout).toMatch(line('h2c'));
  }, 90_000);

  it('refuses an argument out of range, naming it', async () => {
    await expect(
      run(process.execPath, [SCRIPT, '--requests', '10'], { cwd: ROOT, timeout: 30_000 }),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('--requests must be an integer') });
  });
});
