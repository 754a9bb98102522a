/**
 * The web UI's sign-in and shell in a real Chromium (test/support/browser.ts)
 * against a real Berth (SQLite and PostgreSQL) with a real OpenID provider
 * (test/support/oidc-provider.ts): password sign-in and a refused one, sign
 * out (the session ends on the server), OIDC single sign-on through the
 * provider's own pages, the dark theme (kept across a reload), a 375 px
 * window, keyboard navigation to a primary action, and session expiry with
 * BERTH_SESSION_TTL_SECONDS=60 (the shortest allowed): a session opened at the
 * start is used again after it ended, and the UI sends the user back to the
 * sign-in page saying so. Every view is checked with axe-core.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ADMIN_PASSWORD, freePort, startTestBerth, type TestBerth } from '../support/berth.ts';
import { checkA11y, launchBrowser, openPage, screenshot, signIn, skipUnlessBrowser, type UiPage } from '../support/browser.ts';
import { testDatabases } from '../support/databases.ts';
import { createUser, PASSWORD } from '../support/matrix-fixture.ts';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.ts';

const browserSkip = skipUnlessBrowser();
const SESSION_TTL_SECONDS = 60;

for (const db of await testDatabases()) {
  describe(`UI sign-in and shell on ${db.name}`, { skip: db.skip || browserSkip, timeout: 5 * 60_000 }, () => {
    let browser: Browser;
    let provider: TestOidcProvider;
    let berth: TestBerth;
    let base: string;
    let dataDir: string;
    /** Signed in first, used again last: its session has expired by then. */
    let early: UiPage;
    let earlySignedInAt: number;
    const shot = (ui: UiPage, name: string) => screenshot(ui.page, `${name}-${db.name}`);

    before(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'berth-ui-auth-'));
      provider = await startOidcProvider({
        clients: [{ client_id: 'berth', client_secret: 'berth-client-secret', redirect_uris: [`${base}/api/v1/auth/oidc/callback`] }],
        accounts: [{ login: 'u-olivia', claims: { preferred_username: 'olivia', email: 'olivia@example.com', groups: ['devs'] } }],
      });
      [browser, berth] = await Promise.all([
        launchBrowser(),
        startTestBerth({
          ...(await db.env()),
          BERTH_LISTEN: `127.0.0.1:${port}`,
          BERTH_DATA_DIR: dataDir,
          BERTH_OIDC_ISSUER: provider.issuer,
          BERTH_OIDC_CLIENT_ID: 'berth',
          BERTH_OIDC_CLIENT_SECRET: 'berth-client-secret',
          BERTH_SESSION_TTL_SECONDS: String(SESSION_TTL_SECONDS),
        }),
      ]);
      await createUser(base, 'dora');
      early = await openPage(browser, base);
      await signIn(early, { username: 'dora', password: PASSWORD });
      earlySignedInAt = Date.now();
    });
    after(async () => {
      await early?.context.close();
      await browser?.close();
      await berth?.stop();
      await provider?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    test('a signed-out visit shows the sign-in page and comes back after a password sign-in', async () => {
      const ui = await openPage(browser, base);
      const { page } = ui;
      await page.goto('/admin/users');
      await page.getByRole('heading', { name: 'Sign in to Berth' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/login');
      assert.equal(new URL(page.url()).searchParams.get('next'), '/admin/users');
      await checkA11y(page, 'sign-in');
      await shot(ui, 'sign-in');
      await page.getByLabel('User name').fill('admin');
      await page.getByLabel(/^Password/).fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => u.pathname === '/admin/users');
      await page.getByRole('button', { name: 'Account: admin' }).waitFor();
      await ui.close();
    });

    test('a wrong password is refused with a message, and the form stays', async () => {
      const ui = await openPage(browser, base);
      const { page } = ui;
      await page.goto('/login');
      await page.getByLabel('User name').fill('dora');
      await page.getByLabel(/^Password/).fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Sign-in failed' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/login');
      await checkA11y(page, 'sign-in-refused');
      await ui.close();
    });

    test('sign out ends the session on the server', async () => {
      const ui = await openPage(browser, base);
      const { page } = ui;
      await signIn(ui, { username: 'dora', password: PASSWORD });
      await page.getByRole('heading', { name: 'Projects' }).waitFor();
      const cookie = (await ui.context.cookies()).find((c) => c.name === 'berth_session');
      assert.ok(cookie, 'a session cookie after sign-in');
      await page.getByRole('button', { name: 'Account: dora' }).click();
      await page.getByRole('menuitem', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Berth' }).waitFor();
      // The old cookie, replayed, no longer opens anything.
      const res = await fetch(`${base}/api/v1/users/me`, { headers: { cookie: `berth_session=${cookie.value}`, 'x-berth-csrf': '1' } });
      assert.equal(res.status, 401);
      await page.goto('/projects');
      await page.getByRole('heading', { name: 'Sign in to Berth' }).waitFor();
      await ui.close();
    });

    test('OIDC single sign-on through the provider signs in as the provider account', async () => {
      const ui = await openPage(browser, base);
      const { page } = ui;
      await page.goto('/login?next=%2Fprojects');
      await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
      // The provider's own pages (oidc-provider's development interactions).
      await page.waitForURL((u) => u.origin === provider.issuer);
      await page.locator('input[name="login"]').fill('u-olivia');
      await page.locator('input[name="password"]').fill('any');
      await page.locator('button[type="submit"]').click();
      await page.locator('button[type="submit"]').filter({ hasText: /continue/i }).click();
      await page.waitForURL((u) => u.origin === base && u.pathname === '/projects');
      await page.getByRole('button', { name: 'Account: olivia' }).waitFor();
      await ui.close();
    });

    test('the dark theme switches, is kept across a reload and passes the audit', async () => {
      const ui = await openPage(browser, base);
      const { page } = ui;
      await signIn(ui, { username: 'dora', password: PASSWORD });
      await page.getByRole('heading', { name: 'Projects' }).waitFor();
      const scheme = () => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { getAttribute(n: string): string | null } } }).document.documentElement.getAttribute('data-mantine-color-scheme'));
      assert.equal(await scheme(), 'light');
      await page.getByRole('button', { name: 'Switch to dark theme' }).click();
      await page.getByRole('button', { name: 'Switch to light theme' }).waitFor();
      assert.equal(await scheme(), 'dark');
      await page.reload();
      await page.getByRole('heading', { name: 'Projects' }).waitFor();
      assert.equal(await scheme(), 'dark');
      await checkA11y(page, 'projects-dark');
      await shot(ui, 'projects-dark');
      await ui.close();
    });

    test('a 375 px window: navigation behind a menu button, no sideways scrolling', async () => {
      const ui = await openPage(browser, base, { viewport: { width: 375, height: 740 } });
      const { page } = ui;
      await signIn(ui, { username: 'dora', password: PASSWORD, next: '/account/tokens' });
      await page.getByRole('heading', { name: 'Personal API tokens' }).waitFor();
      const nav = page.getByRole('navigation', { name: 'Main' });
      // Folded away = moved out of the window (Mantine slides the navbar off to the left).
      const box = await nav.boundingBox();
      assert.ok(!box || box.x + box.width <= 0, `the navigation is folded away (it is at x=${box?.x}, ${box?.width} px wide)`);
      const scrollWidth = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
      assert.ok(scrollWidth <= 375, `the page is ${scrollWidth} px wide in a 375 px window`);
      await checkA11y(page, 'narrow');
      await shot(ui, 'narrow');
      await page.getByRole('button', { name: 'Open navigation' }).click();
      await nav.getByRole('link', { name: 'Projects' }).click();
      await page.getByRole('heading', { name: 'Projects' }).waitFor();
      await ui.close();
    });

    test('keyboard only: Tab reaches the primary action of a page and Enter uses it', async () => {
      const ui = await openPage(browser, base);
      const { page } = ui;
      await signIn(ui, { username: 'dora', password: PASSWORD, next: '/account/tokens' });
      await page.getByRole('heading', { name: 'Personal API tokens' }).waitFor();
      const target = page.getByRole('button', { name: 'New token' });
      await target.waitFor();
      let reached = false;
      for (let i = 0; i < 40 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await target.evaluate((el) => el === (el as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement);
      }
      assert.ok(reached, 'Tab reaches "New token" within 40 presses');
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await checkA11y(page, 'new-token-dialog');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await ui.close();
    });

    test(`a session older than BERTH_SESSION_TTL_SECONDS (${SESSION_TTL_SECONDS}) sends the user to sign in again`, async () => {
      const { page } = early;
      await page.getByRole('heading', { name: 'Projects' }).waitFor();
      const wait = earlySignedInAt + (SESSION_TTL_SECONDS + 1) * 1000 - Date.now();
      if (wait > 0) await delay(wait);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API tokens' }).click();
      await page.getByRole('heading', { name: 'Sign in to Berth' }).waitFor();
      // Told why (the sign-in page's notice or a notification), and sent back afterwards.
      await page.getByText('Session expired').first().waitFor();
      assert.equal(new URL(page.url()).searchParams.get('next'), '/account/tokens');
      await checkA11y(page, 'session-expired');
      await shot(early, 'session-expired');
      await signIn(early, { username: 'dora', password: PASSWORD, next: '/account/tokens' });
      await page.getByRole('heading', { name: 'Personal API tokens' }).waitFor();
      await early.close();
    });
  });
}
