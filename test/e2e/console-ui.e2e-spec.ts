// The operator console in a real browser (Debian's chromium, driven by Playwright) against the
// real stack: sign-in for each role; an admin creates a bot, a token, a channel, a block and a
// broadcast; copies the hook URL and calls it; executes from the list and watches the run's
// counts change until it completes; reads why a skipped person was skipped; a From-API check of
// a bad endpoint shows the alert; a mobile operator at 390 px sees only the visible broadcasts and
// executes one. axe-core checks every page for serious or critical violations.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eventually, json, startStack, type Stack } from '@herald/testing';
import {
  ensureConsoleBuilt,
  launchChromium,
  screenshot,
  seedLargeRun,
  seriousViolations,
} from '../utils/console.js';

const ADMIN = { email: 'admin@console.test', password: 'console admin password' };
const CONTACTS = 40;
// The test database outlives a run: names and emails are unique per run.
const TAG = Date.now().toString(36).slice(-5);
const BOT = `Console shop ${TAG}`;

describe('operator console in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let badApi: Server;
  let badApiUrl: string;
  let savedAllowedHosts: string | undefined;
  const created: { botId?: string; token?: string; broadcastId?: string; hookUrl?: string } = {};

  async function newPage(
    viewport = { width: 1280, height: 900 },
  ): Promise<{ context: BrowserContext; page: Page }> {
    const ctx = await browser.newContext({ viewport, baseURL: stack.gatewayUrl });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.gatewayUrl });
    return { context: ctx, page: await ctx.newPage() };
  }

  async function signIn(p: Page, email: string, password: string): Promise<void> {
    await p.goto('/console/');
    await p.getByLabel('Email').fill(email);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  async function expectAccessible(p: Page, what: string): Promise<void> {
    expect({ what, violations: await seriousViolations(p) }).toEqual({ what, violations: [] });
  }

  async function clipboard(p: Page): Promise<string> {
    return p.evaluate(() => navigator.clipboard.readText());
  }

  beforeAll(async () => {
    ensureConsoleBuilt();
    // A customer endpoint that answers without the "list" the From-API seed requires.
    badApi = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ items: [{ id: 1 }] }));
    });
    await new Promise<void>((resolve) => badApi.listen(0, '127.0.0.1', resolve));
    badApiUrl = `http://127.0.0.1:${(badApi.address() as AddressInfo).port}/broadcast-list`;
    savedAllowedHosts = process.env.CUSTOM_API_ALLOWED_HOSTS;
    process.env.CUSTOM_API_ALLOWED_HOSTS = '127.0.0.1';
    stack = await startStack(undefined, {
      HERALD_CONSOLE_ADMIN_EMAIL: ADMIN.email,
      HERALD_CONSOLE_ADMIN_PASSWORD: ADMIN.password,
    });
    browser = await launchChromium();
    ({ context, page } = await newPage());
  }, 180_000);

  afterAll(async () => {
    if (savedAllowedHosts === undefined) delete process.env.CUSTOM_API_ALLOWED_HOSTS;
    else process.env.CUSTOM_API_ALLOWED_HOSTS = savedAllowedHosts;
    await browser?.close();
    await stack?.stop();
    await new Promise((resolve) => badApi?.close(resolve));
  });

  it('serves the console at /console/ with a strict Content-Security-Policy', async () => {
    const response = await fetch(`${stack.gatewayUrl}/console/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await response.text()).toContain('<div id="root">');
    expect(
      (await fetch(`${stack.gatewayUrl}/console`, { redirect: 'manual' })).headers.get('location'),
    ).toBe('/console/');
  });

  it('signs an admin in (a wrong password says so)', async () => {
    await page.goto('/console/');
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not right' }).waitFor();
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Bots' }).waitFor();
    await expect(page.getByRole('link', { name: 'Operators' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page, 'bots');
  });

  it('creates a bot, a token (shown once, copied), an SMS channel and a block with a preview', async () => {
    await page.getByLabel('Bot name').fill(BOT);
    await page.getByRole('button', { name: 'Create bot' }).click();
    await page.getByRole('heading', { name: `Setup of ${BOT}` }).waitFor();
    created.botId = /#\/bots\/([0-9a-f-]{36})\/setup/.exec(page.url())![1];

    await page.getByLabel('Token name').fill('crm');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('This token is shown once').waitFor();
    await page.getByRole('button', { name: 'Copy token' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied' }).first().waitFor();
    created.token = await clipboard(page);
    expect(created.token).toBe((await page.getByTestId('issued-token').textContent())?.trim());

    await page.getByLabel('Provider', { exact: true }).selectOption('sms');
    await page.getByLabel('Account SID').fill(`AC${'0'.repeat(31)}7`);
    await page.getByLabel('Auth token').fill('console-test-auth-token');
    await page
      .getByLabel('From number (or a messaging service SID below) (optional)')
      .fill('+15550006666');
    await page.getByRole('button', { name: 'Add channel' }).click();
    await page.getByText('SMS (Twilio) account added.').waitFor();
    await page.getByRole('list', { name: 'Channels' }).getByText('sms').waitFor();

    // Contacts for the saved audience and the block preview (imported through the admin API).
    const contacts = Array.from({ length: CONTACTS }, (_, i) => ({
      channel: 'sms',
      user_id: `+1555070${String(i).padStart(4, '0')}`,
      variables: { first_name: `Ada${i}` },
    }));
    expect(
      (await stack.admin('POST', `/admin/bots/${created.botId}/contacts`, contacts)).status,
    ).toBe(200);
    await page.reload();
    await page.getByLabel('Block name').fill('greeting');
    await page.getByLabel('Block text').fill('Hello {{first_name}}!');
    await page
      .getByLabel('Preview')
      .filter({ hasText: /^Hello Ada\d+!$/ })
      .waitFor();
    await page.getByRole('button', { name: 'Create block' }).click();
    await page.getByRole('list', { name: 'Blocks' }).getByText('greeting').waitFor();
    // A WhatsApp template block.
    await page.getByLabel('Block name').fill('order_update');
    await page.getByLabel('WhatsApp template').check();
    await page.getByLabel('Template name').fill('order_update');
    await page.getByLabel('Body parameters (optional)').fill('{{first_name}}, {{order_id}}');
    await page.getByRole('button', { name: 'Create block' }).click();
    await page.getByRole('list', { name: 'Blocks' }).getByText('order_update').waitFor();
    const blocks = await stack.admin<{ blocks: Array<{ name: string; messages: unknown[] }> }>(
      'GET',
      `/admin/bots/${created.botId}/blocks`,
    );
    expect(blocks.body.blocks.find((b) => b.name === 'order_update')?.messages).toEqual([
      {
        template: {
          name: 'order_update',
          language: { code: 'en_US' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: '{{first_name}}' },
                { type: 'text', text: '{{order_id}}' },
              ],
            },
          ],
        },
      },
    ]);
    // A second token, revoked: the list says so, and the first one stays usable.
    await page.getByLabel('Token name').fill('temporary');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('button', { name: 'Revoke token temporary' }).click();
    await page.getByRole('list', { name: 'Tokens' }).getByText('revoked').waitFor();
    await expect(page.getByRole('button', { name: 'Revoke token crm' }).isVisible()).resolves.toBe(
      true,
    );
    await expectAccessible(page, 'bot setup');
    await screenshot(page, 'bot-setup');
  });

  it('creates a broadcast, shows settings and the hook URL; the copied URL works', async () => {
    await page.goto(`/console/#/bots/${created.botId}`);
    await page.getByLabel('Broadcast name').fill('Weekly news');
    await page.getByRole('button', { name: 'Create broadcast' }).click();
    await page.getByRole('heading', { name: 'Weekly news' }).waitFor();
    created.broadcastId = /#\/broadcasts\/([0-9a-f-]{36})/.exec(page.url())![1];
    // Content from the block; the broadcast is made visible to mobile operators.
    await page.getByLabel('a block (text or WhatsApp template)').check();
    await page.getByLabel('Block', { exact: true }).selectOption({ label: 'greeting' });
    await page.getByRole('button', { name: 'Save content' }).click();
    await page.getByText('Content saved.').waitFor();
    await page.getByLabel('Visible to mobile operators').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await expect(
      page
        .getByText('Mobile operators of this bot see this broadcast and may execute it.')
        .isVisible(),
    ).resolves.toBe(true);
    await expect(page.getByRole('region', { name: 'curl: Targets' }).count()).resolves.toBe(0);
    await expect(page.getByLabel('curl: Targets').textContent()).resolves.toContain(
      'authorization: Bearer $BOT_TOKEN',
    );
    await expectAccessible(page, 'broadcast editor');
    await screenshot(page, 'broadcast-editor');

    await page.getByRole('button', { name: 'Copy hook URL' }).click();
    created.hookUrl = await clipboard(page);
    expect(created.hookUrl).toMatch(/\/hooks\/[A-Za-z0-9_-]+$/);
    // The URL's base is HERALD_PUBLIC_URL (configuration); the test's gateway listens on a free port.
    const call = await json<{ success: boolean; run_id: string }>(
      await fetch(new URL(new URL(created.hookUrl).pathname, stack.gatewayUrl), {
        method: 'POST',
        headers: { authorization: `Bearer ${created.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          targets: [{ user_id: '+15550799999', bot_channel: 'sms', first_name: 'Hook' }],
        }),
      }),
    );
    expect(call).toMatchObject({ status: 200, body: { success: true } });
    const texts = await eventually(async () => {
      const got = await json<{ messages: Array<{ text: string }> }>(
        await fetch(`${stack.sandboxUrl}/sandbox/messages?channel=sms&limit=1000`),
      );
      const hello = got.body.messages.map((m) => m.text).filter((t) => t === 'Hello Hook!');
      return hello.length > 0 ? hello : undefined;
    }, 'the hook call to reach the sandbox');
    expect(texts).toEqual(['Hello Hook!']);
  });

  it('executes from the list and watches the counts change until the run completes', async () => {
    // Slow provider answers, so the run is watched while it delivers.
    await fetch(`${stack.sandboxUrl}/sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'sms', latencyMs: 1500 }),
    });
    await page.goto(`/console/#/bots/${created.botId}`);
    await expectAccessible(page, 'broadcast list');
    await screenshot(page, 'broadcasts');
    await page.getByRole('button', { name: 'Execute Weekly news' }).click();
    await page.getByRole('heading', { name: 'Run', exact: true }).waitFor();
    const sent = page.locator('[data-count="sent"]');
    const seen = new Set<string>();
    const status = page.locator('#progress-h .badge');
    const target = String(CONTACTS + 1);
    let final = '';
    await eventually(
      async () => {
        seen.add((await sent.textContent()) ?? '');
        final = (await status.textContent()) ?? '';
        return final === 'completed' || undefined;
      },
      'the run to complete on screen',
      60_000,
    );
    await fetch(`${stack.sandboxUrl}/sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'sms', latencyMs: 0 }),
    });
    const counts = await page.getByRole('definition').allTextContents();
    expect({ final: await sent.textContent(), counts }).toEqual({ final: target, counts });
    expect(seen.size).toBeGreaterThan(1);
    expect([...seen].some((v) => Number(v) < Number(target))).toBe(true);
    await expect(page.locator('#run-progress').getAttribute('value')).resolves.toBe(target);
    await page
      .getByRole('table', { name: 'Recipients and their delivery status' })
      .getByText('Ada0', { exact: false })
      .count();
    await expectAccessible(page, 'run');
    await screenshot(page, 'run');
  });

  it("opens a skipped recipient and reads the reason; lists the bot's runs newest first", async () => {
    const csml = await json<{ request_id: string }>(
      await fetch(`${stack.gatewayUrl}/v1/api/broadcasts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': created.token! },
        body: JSON.stringify({
          payload: { content_type: 'flow_trigger', content: { flow_id: 'greeting' } },
          client: { user_id: '+15550000404' },
        }),
      }),
    );
    expect(csml.status).toBe(200);
    await page.goto(`/console/#/bots/${created.botId}/runs`);
    await page.getByRole('heading', { name: 'Runs of this bot' }).waitFor();
    await expectAccessible(page, 'runs');
    await page.locator(`a[href="#/runs/${csml.body.request_id}"]`).click();
    await page
      .getByText('Nobody was skipped.')
      .or(page.getByRole('button', { name: /Why was/ }))
      .first()
      .waitFor();
    const why = page.getByRole('button', { name: /Why was .*15550000404.* skipped\?/ });
    await why.waitFor({ timeout: 20_000 });
    await why.click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toMatch(/no sms contact .*15550000404.* exists/);
    await expectAccessible(page, 'skipped reason');
    await screenshot(page, 'skipped-reason');
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('builds a saved audience with AND/OR and shows a live count of who it reaches', async () => {
    await page.goto(`/console/#/broadcasts/${created.broadcastId}`);
    const count = page.locator('#audience-h ~ p.count');
    await count.filter({ hasText: `Reaches ${CONTACTS + 1} contacts` }).waitFor();
    await page.getByRole('button', { name: 'Add filter' }).click();
    const first = page.getByRole('group', { name: 'Filter 1' });
    await first.getByLabel('Variable').fill('first_name');
    await first.getByLabel('Criteria').selectOption('Equals');
    await first.getByLabel('Value').fill('Ada3');
    await count.filter({ hasText: 'Reaches 1 contact' }).waitFor();
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.getByLabel('Join before filter 2').selectOption('OR');
    const second = page.getByRole('group', { name: 'Filter 2' });
    await second.getByLabel('Variable').fill('first_name');
    await second.getByLabel('Criteria').selectOption('StartsWith');
    await second.getByLabel('Value').fill('Ada1');
    // Ada3, and Ada1 and Ada10 to Ada19.
    await count.filter({ hasText: 'Reaches 12 contacts' }).waitFor();
    await expectAccessible(page, 'audience builder');
    await page.getByRole('button', { name: 'Save audience' }).click();
    await page.getByText('Audience saved.').waitFor();
    const saved = await stack.admin<{ audience: unknown }>(
      'GET',
      `/admin/broadcasts/${created.broadcastId}`,
    );
    expect(saved.body.audience).toEqual({
      filters: [
        { field: 'first_name', criteria: 'Equals', value: 'Ada3' },
        { field: 'first_name', criteria: 'StartsWith', value: 'Ada1' },
      ],
      joins: ['OR'],
    });
    // Back to everyone, for the executions that follow.
    await page.getByRole('button', { name: 'Remove filter 2' }).click();
    await page.getByRole('button', { name: 'Remove filter 1' }).click();
    await count.filter({ hasText: `Reaches ${CONTACTS + 1} contacts` }).waitFor();
    await page.getByRole('button', { name: 'Save audience' }).click();
    await eventually(
      async () =>
        (
          await stack.admin<{ audience: unknown }>(
            'GET',
            `/admin/broadcasts/${created.broadcastId}`,
          )
        ).body.audience === null || undefined,
      'the audience to be removed',
    );
  });

  it('a From-API check of a bad endpoint shows an alert with what to fix', async () => {
    await page.goto(`/console/#/broadcasts/${created.broadcastId}`);
    await page.getByLabel('Endpoint').fill(badApiUrl);
    await page.getByRole('button', { name: 'Check' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Your endpoint must be fixed' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/Page 1: .*list/);
    await expectAccessible(page, 'From-API alert');
    await screenshot(page, 'from-api-check');

    // Regenerating the key changes the hook URL; the old one stops working.
    const oldPath = new URL(created.hookUrl!).pathname;
    await page.getByRole('button', { name: 'Regenerate key' }).click();
    await page.getByText('A new hook URL was made; the old one stops working.').waitFor();
    const fresh = await page.getByLabel('Hook URL').inputValue();
    expect(new URL(fresh).pathname).not.toBe(oldPath);
    await eventually(
      async () =>
        (
          await fetch(new URL(oldPath, stack.gatewayUrl), {
            headers: { authorization: `Bearer ${created.token}` },
          })
        ).status === 404,
      'the old hook URL to stop working',
      10_000,
    );
  });

  /**
   * Pages the "All broadcasts" list with Load more until `name` is on it. The list is in id order,
   * 50 a page, over every broadcast the admin sees: the test database holds every suite's.
   */
  async function loadUntilListed(p: Page, name: string): Promise<void> {
    const list = p.getByRole('list', { name: 'Broadcasts' });
    const loadMore = p.getByRole('button', { name: 'Load more' });
    await list.getByRole('listitem').first().waitFor();
    while ((await list.getByText(name).count()) === 0 && (await loadMore.count()) > 0) {
      const shown = await list.getByRole('listitem').count();
      await loadMore.click();
      await eventually(
        async () => (await list.getByRole('listitem').count()) > shown,
        'the next page of broadcasts',
        10_000,
      );
    }
  }

  it('an admin creates an operator in the console; the operator sees only their bot', async () => {
    const other = await stack.admin<{ id: string }>('POST', '/admin/bots', { name: 'Not yours' });
    await page.goto('/console/#/operators');
    await page.getByRole('heading', { name: 'Operators' }).waitFor();
    await page.getByLabel('Email').fill(`ops-${TAG}@console.test`);
    await page.getByLabel('Password', { exact: true }).fill('operator password 1');
    await page.getByLabel('Role').selectOption('operator');
    await page.getByLabel(BOT, { exact: true }).check();
    await page.getByRole('button', { name: 'Create operator' }).click();
    await page.getByText(`ops-${TAG}@console.test can now sign in.`).waitFor();
    // An admin resets the password; the operator signs in with the new one.
    await page
      .getByLabel('Operator', { exact: true })
      .selectOption({ label: `ops-${TAG}@console.test` });
    await page.getByLabel('New password').fill('operator password 2');
    await page.getByRole('button', { name: 'Reset password' }).click();
    await page
      .getByText(`ops-${TAG}@console.test has a new password; their sessions ended.`)
      .waitFor();
    await expectAccessible(page, 'operators');
    await screenshot(page, 'operators');
    await page.getByRole('link', { name: 'Broadcasts', exact: true }).click();
    await page.getByRole('heading', { name: 'All broadcasts' }).waitFor();
    await loadUntilListed(page, 'Weekly news');
    await page.getByRole('list', { name: 'Broadcasts' }).getByText('Weekly news').first().waitFor();
    await expectAccessible(page, 'all broadcasts');
    await page.getByRole('link', { name: 'Dead letters' }).click();
    await page.getByRole('heading', { name: 'Dead letters' }).waitFor();
    await page
      .getByText(/No dead letter\.|Replay/)
      .first()
      .waitFor();
    await expectAccessible(page, 'dead letters');

    const { context: ctx, page: p } = await newPage();
    try {
      await signIn(p, `ops-${TAG}@console.test`, 'operator password 2');
      await p
        .getByRole('list', { name: 'Bots' })
        .getByRole('link', { name: BOT, exact: true })
        .waitFor();
      await expect(p.getByRole('link', { name: 'Not yours' }).count()).resolves.toBe(0);
      await expect(p.getByRole('link', { name: 'Operators' }).count()).resolves.toBe(0);
      await p.goto(`/console/#/bots/${other.body.id}`);
      await p.getByRole('alert').filter({ hasText: 'not one of yours' }).first().waitFor();
      await p.goto(`/console/#/bots/${created.botId}`);
      await p.getByRole('button', { name: 'Execute Weekly news' }).waitFor();
      await expectAccessible(p, 'operator broadcasts');
    } finally {
      await ctx.close();
    }
  });

  it('a mobile operator at 390 px sees only the visible broadcasts and executes one', async () => {
    await stack.admin('POST', `/admin/bots/${created.botId}/broadcasts`, {
      name: 'Office only',
      content: { messages: [{ text: 'x' }] },
    });
    expect(
      (
        await stack.admin('POST', '/admin/operators', {
          email: `phone-${TAG}@console.test`,
          password: 'mobile password 1',
          role: 'mobile_operator',
          botIds: [created.botId],
        })
      ).status,
    ).toBe(201);
    const { context: ctx, page: p } = await newPage({ width: 390, height: 844 });
    try {
      await signIn(p, `phone-${TAG}@console.test`, 'mobile password 1');
      await p.getByRole('heading', { name: 'My broadcasts' }).waitFor();
      const list = p.getByRole('list', { name: 'Broadcasts' });
      await list.getByText('Weekly news').waitFor();
      await expect(list.getByText('Office only').count()).resolves.toBe(0);
      // Nothing wider than the phone's screen.
      await expect(
        p.evaluate(() => document.documentElement.scrollWidth),
      ).resolves.toBeLessThanOrEqual(390);
      await expectAccessible(p, 'mobile broadcasts');
      await screenshot(p, 'mobile-broadcasts');
      // By keyboard alone: Tab to the execute button, then Enter.
      let focused: string | null = null;
      for (let i = 0; i < 20 && focused !== 'Execute Weekly news'; i++) {
        await p.keyboard.press('Tab');
        focused = await p.evaluate(
          () => document.activeElement?.getAttribute('aria-label') ?? null,
        );
      }
      expect(focused).toBe('Execute Weekly news');
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { name: 'Run', exact: true }).waitFor();
      await p
        .locator('#progress-h .badge')
        .filter({ hasText: 'completed' })
        .waitFor({ timeout: 30_000 });
      await expect(p.getByRole('button', { name: 'Cancel run' }).count()).resolves.toBe(0);
      await expectAccessible(p, 'mobile run');
      await screenshot(p, 'mobile-run');
      await p.goto(`/console/#/broadcasts/${created.broadcastId}/runs`);
      await p.getByRole('heading', { name: 'Runs of this broadcast' }).waitFor();
      await p.getByRole('table').locator('tbody tr').first().waitFor();
      await expectAccessible(p, 'mobile runs');
    } finally {
      await ctx.close();
    }
  });

  it('imports a CSV with a progress bar, finds a contact and sees the runs that reached them', async () => {
    await page.goto(`/console/#/bots/${created.botId}/contacts`);
    await page.getByRole('heading', { name: 'Contacts', exact: true }).waitFor();
    const rows = Array.from(
      { length: 1200 },
      (_, i) => `sms,+1555090${String(i).padStart(4, '0')},"Csv, ${i}"`,
    );
    await page.getByLabel(/CSV file/).setInputFiles({
      name: 'contacts.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`channel,user_id,first_name\n${rows.join('\n')}\n`),
    });
    await page.getByText('1200 contacts imported.').waitFor();
    await expect(page.locator('#import-progress').getAttribute('value')).resolves.toBe('1200');
    await page.getByLabel(/Search contacts/).fill('first_name=Csv, 7');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name: 'Details of +15550900007' }).waitFor();
    await page.getByLabel(/Search contacts/).fill('+15550700003');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name: 'Details of +15550700003' }).click();
    await page
      .getByRole('list', { name: 'Runs that reached this contact' })
      .getByRole('link')
      .first()
      .waitFor();
    await expect(
      page.getByRole('region', { name: 'Contact +15550700003' }).textContent(),
    ).resolves.toContain('first_name = Ada3');
    await expectAccessible(page, 'contacts');
    await screenshot(page, 'contacts');
  });

  it('opens the page of a 100,000-recipient run in under a second', async () => {
    const { runId, remove } = await seedLargeRun({
      botId: created.botId!,
      broadcastId: created.broadcastId!,
      deliveries: 100_000,
      skips: 0,
    });
    await page.goto(`/console/#/bots/${created.botId}`);
    await page.getByRole('heading', { name: /^Broadcasts of/ }).waitFor();
    const started = Date.now();
    await page.evaluate((id) => {
      window.location.hash = `/runs/${id}`;
    }, runId);
    await page.locator('[data-count="targeted"]').filter({ hasText: '100,000' }).waitFor();
    await page
      .getByRole('table', { name: 'Recipients and their delivery status' })
      .locator('tbody tr')
      .first()
      .waitFor();
    expect(Date.now() - started).toBeLessThan(1000);
    await page.getByLabel('Show status').selectOption('failed');
    await page
      .getByRole('table', { name: 'Recipients and their delivery status' })
      .getByText('the provider refused the number')
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Next recipients' }).click();
    await page.getByRole('button', { name: 'Previous recipients' }).waitFor();
    await remove();
  });

  afterAll(async () => {
    await context?.close();
  });
});
