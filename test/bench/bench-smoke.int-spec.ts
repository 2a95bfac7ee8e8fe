// Keeps `npm run bench` working: the harness at a CI size (10,000 contacts, a short hook load,
// a short latency run, audience resolution alone of 10,000), as real processes from dist/ on the
// real broker and PostgreSQL. It asserts only that the runs completed and that everyone was
// delivered (or, for audience resolution, published) exactly once — never a time: CI machines
// are shared and slow, and the figures are the report's business.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CONTACTS = 10_000;

interface FanOut {
  outcome: string;
  complete: boolean;
  sandbox: { total: number; unique: number; duplicates: number };
  run: { status: string; counts: Record<string, number> } | null;
}

interface Results {
  scenarios: {
    'hook-accept': { error?: string; herald: { ok: number; errors: number; non2xx: number } };
    'fan-out': FanOut & { error?: string };
    latency: { error?: string; accepted: number; delivered: number; missing: number };
    delivery: {
      error?: string;
      complete: boolean;
      cases: Array<{ unique: number; duplicates: number }>;
      pacing: { people: number; unique: number; duplicates: number };
    };
    'scale-out': {
      error?: string;
      complete: boolean;
      cases: Array<{ replicas: number; unique: number; duplicates: number }>;
    };
    audience: {
      error?: string;
      outcome: string;
      complete: boolean;
      resolvedMs: number | null;
      run: { targeted: number; pagesEmitted: number; resolutionDone: boolean } | null;
      topic: { records: number; targets: number; unique: number; duplicates: number; runs: number };
      cpu: { byProcess: Record<string, number> };
    };
  };
}

function runHarness(
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bench', 'run.mjs'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // The harness bounds itself (--max-minutes); this is the backstop. SIGTERM lets it clean up.
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('npm run bench at a CI size', () => {
  const out = path.join(ROOT, 'bench', 'results', 'tmp', `smoke-${process.pid}`);

  afterAll(() => {
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('completes every scenario and delivers to all 10,000 contacts exactly once', async () => {
    fs.rmSync(out, { recursive: true, force: true });
    const { code, output } = await runHarness(
      [
        '--scenario',
        'hook-accept,latency,fan-out,delivery,scale-out,audience',
        '--contacts',
        String(CONTACTS),
        '--duration',
        '3',
        '--connections',
        '16',
        '--latency-rate',
        '10',
        '--latency-duration',
        '4',
        '--ceiling-duration',
        '3',
        '--delivery-contacts',
        '2000',
        '--paced-rate',
        '200',
        '--paced-seconds',
        '5',
        '--max-minutes',
        '8',
        '--out',
        out,
      ],
      500_000,
    );
    if (code !== 0)
      throw new Error(
        `the harness exited with ${code}:\n${output.split('\n').slice(-40).join('\n')}`,
      );

    const json = fs.readdirSync(out).filter((f) => f.endsWith('.json'));
    expect(json).toHaveLength(1);
    expect(fs.existsSync(path.join(out, json[0].replace(/\.json$/, '.md')))).toBe(true);
    const results = JSON.parse(fs.readFileSync(path.join(out, json[0]), 'utf8')) as Results;

    const fanOut = results.scenarios['fan-out'];
    expect(fanOut.error).toBeUndefined();
    expect(fanOut).toMatchObject({ outcome: 'completed', complete: true });
    expect(fanOut.sandbox).toEqual({
      total: CONTACTS,
      unique: CONTACTS,
      duplicates: 0,
      byChannel: expect.any(Object),
    });
    expect(fanOut.run).toMatchObject({
      status: 'completed',
      counts: { targeted: CONTACTS, sent: CONTACTS, failed: 0 },
    });

    const hook = results.scenarios['hook-accept'];
    expect(hook.error).toBeUndefined();
    expect(hook.herald.ok).toBeGreaterThan(0);
    expect(hook.herald.errors).toBe(0);

    const latency = results.scenarios.latency;
    expect(latency.error).toBeUndefined();
    expect(latency.accepted).toBeGreaterThan(0);
    expect(latency).toMatchObject({ delivered: latency.accepted, missing: 0 });

    // One delivery instance drained its queue at 0 and 50 ms, and on a paced account: everyone
    // once (the rates are the benchmark's to report, never asserted here).
    const delivery = results.scenarios.delivery;
    expect(delivery.error).toBeUndefined();
    expect(delivery).toMatchObject({ complete: true });
    expect(delivery.cases.map((c) => [c.unique, c.duplicates])).toEqual([
      [2000, 0],
      [2000, 0],
    ]);
    expect(delivery.pacing).toMatchObject({ people: 1000, unique: 1000, duplicates: 0 });

    // One paced account drained by one delivery-sms replica, then by three: everyone once.
    const scaleOut = results.scenarios['scale-out'];
    expect(scaleOut.error).toBeUndefined();
    expect(scaleOut).toMatchObject({ complete: true, warmUpPeople: 1000 });
    expect(scaleOut.cases.map((c) => [c.replicas, c.unique, c.duplicates])).toEqual([
      [1, 1000, 0],
      [3, 1000, 0],
    ]);

    // The audience service alone turned the saved audience into pages, nothing consuming them:
    // everyone in exactly one page, the run's counters matching the topic (never a time asserted).
    const audience = results.scenarios.audience;
    expect(audience.error).toBeUndefined();
    expect(audience).toMatchObject({ outcome: 'resolved', complete: true });
    expect(audience.resolvedMs).toBeGreaterThan(0);
    expect(audience.topic).toEqual({
      records: audience.run?.pagesEmitted,
      targets: CONTACTS,
      unique: CONTACTS,
      duplicates: 0,
      runs: 1,
    });
    expect(audience.run).toMatchObject({ targeted: CONTACTS, resolutionDone: true });
    expect(audience.cpu.byProcess.audience).toEqual(expect.any(Number));
  }, 540_000);
});
