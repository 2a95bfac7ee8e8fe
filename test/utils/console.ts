// The operator console in tests: its bundle built when missing or older than its sources
// (bounded in time), and Debian's chromium driven by Playwright, with axe-core checks.
import { AxeBuilder } from '@axe-core/playwright';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { testDatabaseUrl } from './env.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = path.join(ROOT, 'apps/console');
const BUILT = path.join(ROOT, 'dist/console/index.html');
export const CHROMIUM = process.env.HERALD_CHROMIUM ?? '/usr/bin/chromium';
const BUILD_TIMEOUT_MS = 180_000;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds dist/console (Vite) unless it is newer than every console source. */
export function ensureConsoleBuilt(): void {
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestSource(SOURCES)) return;
  const build = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      path.join(SOURCES, 'vite.config.ts'),
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: BUILD_TIMEOUT_MS,
    },
  );
  if (build.status !== 0)
    throw new Error(
      `building the console failed (${build.error?.message ?? `exit ${build.status}`}):\n${build.stdout}\n${build.stderr}`,
    );
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium; .ci/run does) or set HERALD_CHROMIUM.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** axe-core on the page as it stands: the serious and critical violations (expected: none). */
export async function seriousViolations(
  page: Page,
): Promise<Array<{ id: string; impact: string; help: string; targets: string[] }>> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact ?? '',
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
}

/** Saves a screenshot under docs/console/ when HERALD_CONSOLE_SCREENSHOTS=1 (how the README's pictures are made). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.HERALD_CONSOLE_SCREENSHOTS !== '1') return;
  await page.screenshot({ path: path.join(ROOT, 'docs/console', `${name}.png`), fullPage: true });
}

/**
 * A finished run of `deliveries` recipients (1 in 20 failed) and `skips` skipped people, written
 * straight into the test database, to show that its pages open fast; remove() deletes it again.
 */
export async function seedLargeRun(options: {
  botId: string;
  broadcastId?: string;
  deliveries: number;
  skips: number;
}): Promise<{ runId: string; remove: () => Promise<void> }> {
  const runId = randomUUID();
  const withDb = async (work: (db: pg.Client) => Promise<void>) => {
    const db = new pg.Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    try {
      await work(db);
    } finally {
      await db.end();
    }
  };
  await withDb(async (db) => {
    const failed = Math.floor(options.deliveries / 20);
    await db.query(
      `INSERT INTO runs (id, bot_id, broadcast_id, source, status, targeted, sent, failed, skipped, resolution_done, finished_at)
       VALUES ($1, $2, $3, 'execute', 'completed', $4, $5, $6, $7, true, now())`,
      [
        runId,
        options.botId,
        options.broadcastId ?? null,
        options.deliveries + options.skips,
        options.deliveries - failed,
        failed,
        options.skips,
      ],
    );
    await db.query(
      `INSERT INTO deliveries (run_id, contact_id, bot_id, channel, status, reason)
       SELECT $1, gen_random_uuid(), $2, 'sms', CASE WHEN i % 20 = 0 THEN 'failed' ELSE 'sent' END,
              CASE WHEN i % 20 = 0 THEN 'the provider refused the number' END
         FROM generate_series(1, $3::int) AS i`,
      [runId, options.botId, options.deliveries],
    );
    await db.query(
      `INSERT INTO run_skips (run_id, id, recipient, channel, reason)
       SELECT $1, gen_random_uuid(), '+1555' || i, 'sms', 'opted out of messages on sms' FROM generate_series(1, $2::int) AS i`,
      [runId, options.skips],
    );
    await db.query('ANALYZE deliveries; ANALYZE run_skips');
  });
  return {
    runId,
    remove: () =>
      withDb(async (db) => {
        await db.query('DELETE FROM deliveries WHERE run_id = $1', [runId]);
        await db.query('DELETE FROM run_skips WHERE run_id = $1', [runId]);
        await db.query('DELETE FROM runs WHERE id = $1', [runId]);
      }),
  };
}
