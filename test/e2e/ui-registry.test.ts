/**
 * The registry and access views in a real Chromium against a real Berth
 * (SQLite and PostgreSQL), with images pushed by a real crane
 * (test/peers/crane.sh): an administrator creates a project, sees the image
 * crane pushed with its layers and a pull command that copies to the
 * clipboard, tags it (crane sees the tag), creates a robot whose secret is
 * shown once and works for crane, and adds a guest; the guest sees none of
 * the delete, tag or robot actions, and the API refuses the guest's own
 * session a direct delete. Tests run in order and build on each other; every
 * view is checked with axe-core and photographed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { ADMIN_PASSWORD, startTestBerth, type TestBerth } from '../support/berth.ts';
import { checkA11y, launchBrowser, openPage, screenshot, signIn, skipUnlessBrowser, type UiPage } from '../support/browser.ts';
import { testDatabases } from '../support/databases.ts';
import { createUser, PASSWORD } from '../support/matrix-fixture.ts';
import { makeTar, mustRun, randomishData, runTool } from '../support/oci-layout.ts';
import { peerPath, skipUnlessPeer } from '../support/peers.ts';

const skip = skipUnlessBrowser() || skipUnlessPeer('crane');

for (const db of await testDatabases()) {
  describe(`UI registry and access on ${db.name}`, { skip: db.skip || skip, timeout: 5 * 60_000 }, () => {
    let browser: Browser;
    let berth: TestBerth;
    let tmp: string;
    let crane: string;
    let env: NodeJS.ProcessEnv;
    let admin: UiPage;
    let digest: string;
    /** Digests are shown as algorithm:first 12 hex digits. */
    const short = (d: string) => d.slice(0, 'sha256:'.length + 12);
    const shot = (ui: UiPage, name: string) => screenshot(ui.page, `${name}-${db.name}`);
    const run = (args: string[]) => mustRun(crane, [...args, '--insecure'], { env, timeoutMs: 120_000 });

    before(async () => {
      crane = peerPath('crane');
      [browser, berth] = await Promise.all([launchBrowser(), db.env().then((e) => startTestBerth(e))]);
      tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-ui-registry-'));
      // A private HOME and DOCKER_CONFIG: crane auth login must not touch the real ones.
      env = { ...process.env, HOME: tmp, DOCKER_CONFIG: path.join(tmp, 'docker'), XDG_RUNTIME_DIR: tmp };
      await createUser(berth.url, 'gina');
      admin = await openPage(browser, berth.url);
    });
    after(async () => {
      await admin?.context.close();
      await browser?.close();
      await berth?.stop();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    test('an administrator signs in and creates a project', async () => {
      const { page } = admin;
      await signIn(admin, { username: 'admin', password: ADMIN_PASSWORD });
      await page.getByRole('heading', { name: 'Projects' }).waitFor();
      await page.getByRole('button', { name: 'New project' }).click();
      const dialog = page.getByRole('dialog', { name: 'New project' });
      await dialog.getByLabel(/^Project name/).fill('shop');
      await checkA11y(page, 'new-project-dialog');
      await dialog.getByRole('button', { name: 'Create project' }).click();
      await dialog.waitFor({ state: 'hidden' });
      // The new project's page, then back to the list through the breadcrumb.
      await page.getByRole('heading', { name: 'shop' }).waitFor();
      await page.getByRole('tab', { name: 'Repositories' }).waitFor();
      await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Projects' }).click();
      await page.getByRole('table', { name: 'Projects' }).getByRole('link', { name: 'shop' }).waitFor();
      await checkA11y(page, 'projects');
      await shot(admin, 'projects');
      admin.assertClean();
    });

    test('an image pushed with crane is listed, with its layers and a pull command', async () => {
      const layers: string[] = [];
      for (let i = 0; i < 2; i++) {
        const file = path.join(tmp, `layer${i}.tar.gz`);
        await writeFile(file, gzipSync(makeTar([{ name: `app/file${i}.bin`, data: randomishData(64 * 1024, `ui layer ${i}`) }])));
        layers.push(file);
      }
      await run(['auth', 'login', berth.hostPort, '-u', 'admin', '-p', ADMIN_PASSWORD]);
      const ref = (await run(['append', '--oci-empty-base', ...layers.flatMap((f) => ['-f', f]), '-t', `${berth.hostPort}/shop/web:v1`])).stdout.toString().trim();
      digest = ref.split('@')[1]!;
      assert.match(digest, /^sha256:[0-9a-f]{64}$/);

      const { page } = admin;
      // A fresh load: lists are cached for 10 s, and the push was just now.
      await page.goto('/projects');
      await page.getByRole('table', { name: 'Projects' }).getByRole('link', { name: 'shop' }).click();
      await page.getByRole('table', { name: 'Repositories of shop' }).getByRole('link', { name: 'shop/web' }).click();
      await page.getByRole('heading', { name: 'shop/web' }).waitFor();
      const artifacts = page.getByRole('table', { name: 'Artifacts of shop/web' });
      await artifacts.getByText('v1', { exact: true }).waitFor();
      await checkA11y(page, 'repository');
      await shot(admin, 'repository');

      await artifacts.getByRole('link', { name: short(digest) }).click();
      await page.getByRole('heading', { name: `web@${short(digest)}` }).waitFor();
      await page.getByRole('tab', { name: 'Layers (2)' }).click();
      const pull = `docker pull ${berth.hostPort}/shop/web@${digest}`;
      await page.getByText(pull, { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Copy pull command by digest' }).click();
      assert.equal(await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText()), pull);
      await checkA11y(page, 'artifact');
      await shot(admin, 'artifact');
      admin.assertClean();
    });

    test('a tag added in the UI is seen by crane', async () => {
      const { page } = admin;
      await page.getByLabel('New tag').fill('stable');
      await page.getByRole('button', { name: 'Add tag' }).click();
      await page.getByRole('button', { name: 'Remove tag stable' }).waitFor();
      const tags = (await run(['ls', `${berth.hostPort}/shop/web`])).stdout.toString().trim().split('\n').sort();
      assert.deepEqual(tags, ['stable', 'v1']);
      assert.equal((await run(['digest', `${berth.hostPort}/shop/web:stable`])).stdout.toString().trim(), digest);
      admin.assertClean();
    });

    test('a robot created in the UI shows its secret once, and crane signs in with it', async () => {
      const { page } = admin;
      await page.goto('/projects/shop/robots');
      await page.getByRole('button', { name: 'New robot' }).click();
      const dialog = page.getByRole('dialog', { name: 'New robot in shop' });
      await dialog.getByLabel(/^Name/).fill('ci');
      await dialog.getByLabel('repository:pull').check();
      await dialog.getByLabel('repository:push').check();
      await checkA11y(page, 'new-robot-dialog');
      await dialog.getByRole('button', { name: 'Create robot' }).click();
      const secretDialog = page.getByRole('dialog', { name: 'Robot secret' });
      const secret = (await secretDialog.getByLabel('Secret', { exact: true }).innerText()).trim();
      assert.ok(secret.length >= 16, 'a secret is shown');
      const robotName = (await page.getByRole('table', { name: 'Robot accounts of shop' }).getByText(/robot\$/).first().innerText()).trim();
      await checkA11y(page, 'robot-secret');
      await shot(admin, 'robot-secret');
      await secretDialog.getByRole('button', { name: 'I have copied it' }).click();
      await secretDialog.waitFor({ state: 'hidden' });

      // The secret works once copied …
      const robotEnv = { ...env, DOCKER_CONFIG: path.join(tmp, 'robot-docker') };
      await mustRun(crane, ['auth', 'login', berth.hostPort, '-u', robotName, '-p', secret, '--insecure'], { env: robotEnv });
      const pulled = await mustRun(crane, ['digest', `${berth.hostPort}/shop/web:v1`, '--insecure'], { env: robotEnv });
      assert.equal(pulled.stdout.toString().trim(), digest);
      // … and is never shown again.
      await page.reload();
      await page.getByRole('table', { name: 'Robot accounts of shop' }).getByText(robotName).waitFor();
      assert.equal((await page.content()).includes(secret), false, 'the secret is not in the page after a reload');
      const listed = await page.evaluate(async () => (await fetch('/api/v1/robots?project=shop', { headers: { 'X-Berth-CSRF': '1' } })).text());
      assert.equal(listed.includes(secret), false, 'the robot list never carries the secret');
      await checkA11y(page, 'robots');
      await shot(admin, 'robots');
      admin.assertClean();
    });

    test('members: the administrator adds a guest in the UI', async () => {
      const { page } = admin;
      await page.getByRole('tab', { name: 'Members' }).click();
      await page.getByRole('button', { name: 'Add member' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add member' });
      await dialog.getByLabel(/^User name/).fill('gina');
      await dialog.getByRole('combobox', { name: 'Role' }).click();
      await page.getByRole('option', { name: 'Guest', exact: true }).click();
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('combobox', { name: 'Role of gina' }).waitFor();
      await checkA11y(page, 'members');
      await shot(admin, 'members');
      admin.assertClean();
    });

    test('a guest sees no delete, tag or robot actions, and the API refuses the guest a delete', async () => {
      const guest = await openPage(browser, berth.url);
      const { page } = guest;
      await signIn(guest, { username: 'gina', password: PASSWORD, next: `/projects/shop/repositories/web/artifacts/${encodeURIComponent(digest)}` });
      await page.getByRole('tab', { name: 'Layers (2)' }).waitFor();
      await page.getByText(`docker pull ${berth.hostPort}/shop/web@${digest}`, { exact: true }).waitFor();
      for (const name of ['Delete artifact', 'Add tag', 'Remove tag stable', 'Remove tag v1']) {
        assert.equal(await page.getByRole('button', { name }).count(), 0, `a guest sees no "${name}" button`);
      }
      await checkA11y(page, 'artifact-guest');
      await page.goto('/projects/shop/repositories/web');
      await page.getByRole('table', { name: 'Artifacts of shop/web' }).getByRole('link', { name: short(digest) }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Delete repository' }).count(), 0, 'a guest sees no "Delete repository" button');
      assert.equal(await page.getByRole('tab', { name: 'Robot accounts' }).count(), 0, 'a guest sees no robot accounts tab');

      // The same request the hidden button would send, with the guest's session.
      guest.allow(403, /\/api\/v1\/projects\/shop\/repositories\/web\/artifacts\//);
      const status = await page.evaluate(async (d) => (await fetch(`/api/v1/projects/shop/repositories/web/artifacts/${encodeURIComponent(d)}`, { method: 'DELETE', headers: { 'X-Berth-CSRF': '1' } })).status, digest);
      assert.equal(status, 403);
      assert.equal((await runTool(crane, ['digest', `${berth.hostPort}/shop/web:v1`, '--insecure'], { env })).stdout.toString().trim(), digest, 'the artifact is still there');
      await guest.close();
    });
  });
}
