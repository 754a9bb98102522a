/**
 * The delivery views in a real Chromium against a real Berth (SQLite and
 * PostgreSQL) with the real engine, a real Kubernetes control plane
 * (test/support/kube-cluster.ts, one for both databases, each in its own
 * namespace) and a real Git server: an application created in the form from
 * a Git repository is synced and its tree reaches Healthy (Deployment →
 * ReplicaSet → Pod); a drift made with kubectl shows as OutOfSync with the
 * changed value in the diff, and a sync from the dialog puts it back; a new
 * commit is synced and the history's rollback restores the first revision
 * in the cluster. What the UI shows is checked against the cluster. Every view
 * is checked with axe-core and photographed. Each database's run deletes its
 * namespace at the end: the next run's application has the same name, and
 * objects carrying its app label would count as its extra resources.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access -- kubectl's JSON output is read as untyped objects */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_PASSWORD } from '../support/berth.ts';
import { checkA11y, launchBrowser, openPage, screenshot, signIn, skipUnlessBrowser, type UiPage } from '../support/browser.ts';
import { testDatabases } from '../support/databases.ts';
import { startDeliveryWorld, until, yamlDocs, type DeliveryWorld } from '../support/gitops.ts';
import { skipUnlessKubePeers, startKubeCluster, type KubeCluster } from '../support/kube-cluster.ts';

const skip = skipUnlessBrowser() || skipUnlessKubePeers();
/** Waits for the engine and kwok: a Deployment is Available within seconds, but CI shares two cores. */
const CONVERGE_MS = 120_000;

const deployment = (image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image }] } },
  },
});
const configMap = (greeting: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config' }, data: { greeting } });

/** One control plane for both databases, started by the first suite that needs it. */
let clusterStarted: Promise<KubeCluster> | undefined;
const sharedCluster = () => (clusterStarted ??= startKubeCluster());
let suitesLeft = 0;

for (const db of await testDatabases()) {
  if (!(db.skip || skip)) suitesLeft++;
  describe(`UI delivery on ${db.name}`, { skip: db.skip || skip, timeout: 8 * 60_000 }, () => {
    let browser: Browser;
    let world: DeliveryWorld;
    let ui: UiPage;
    let page: Page;
    let first: string;
    const ns = `ui-web-${db.name}`;
    const shot = (name: string) => screenshot(page, `${name}-${db.name}`);
    const kget = async (args: string[]) => JSON.parse(await world.cluster.kubectl(['get', ...args, '-n', ns, '-o', 'json'])) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    /** The application's summary (sync and health fields of the page). */
    const summary = (field: 'Sync' | 'Health') => page.locator('dt', { hasText: new RegExp(`^${field}$`) }).locator('xpath=following-sibling::dd[1]');

    before(async () => {
      const [b, cluster] = await Promise.all([launchBrowser(), sharedCluster()]);
      browser = b;
      world = await startDeliveryWorld({ cluster, env: await db.env() });
      first = await world.git.createRepo('shop/deploy', { 'web/deploy.yaml': yamlDocs(deployment('registry.test/web:1')), 'web/cm.yaml': yamlDocs(configMap('hello')) });
      ui = await openPage(browser, world.berth.url);
      page = ui.page;
      await signIn(ui, { username: 'admin', password: ADMIN_PASSWORD, next: '/applications' });
    });
    after(async () => {
      await ui?.context.close();
      await browser?.close();
      await world?.stop();
      // The next database's Berth manages an application with the same name on the same cluster: tracked by
      // the app label, this run's objects would be extra resources of that application (OutOfSync forever).
      if (world) await world.cluster.kubectl(['delete', 'namespace', ns, '--wait=true', '--timeout=90s']);
      if (--suitesLeft === 0 && clusterStarted) await (await clusterStarted).stop();
    });

    test('an application created from a Git repository is synced and its tree reaches Healthy', async () => {
      await page.getByRole('heading', { name: 'Applications' }).waitFor();
      await checkA11y(page, 'applications-empty');
      await page.getByRole('link', { name: 'New application' }).click();
      const form = page.getByRole('form', { name: 'New application' });
      await form.getByRole('textbox', { name: 'Name', exact: true }).fill('web');
      await form.getByRole('textbox', { name: 'Project', exact: true }).fill('team');
      await form.getByRole('textbox', { name: 'Repository URL', exact: true }).fill(world.git.url('shop/deploy'));
      await form.getByRole('textbox', { name: 'Path', exact: true }).fill('web');
      await form.getByRole('textbox', { name: 'Revision', exact: true }).fill('main');
      await form.getByRole('textbox', { name: 'Cluster name', exact: true }).fill(world.cluster.name);
      await form.getByRole('textbox', { name: 'Namespace', exact: true }).fill(ns);
      assert.equal(await form.getByLabel('Create the namespace when missing').isChecked(), true);
      await checkA11y(page, 'new-application');
      await shot('new-application');
      await form.getByRole('button', { name: 'Create' }).click();
      await page.getByRole('heading', { name: 'web', exact: true }).waitFor();
      await summary('Sync').getByText('OutOfSync').waitFor({ timeout: CONVERGE_MS });

      await page.getByRole('button', { name: 'Sync', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Sync web' });
      await checkA11y(page, 'sync-dialog');
      await dialog.getByRole('button', { name: 'Synchronize' }).click();
      await summary('Sync').getByText('Synced').waitFor({ timeout: CONVERGE_MS });
      await summary('Health').getByText('Healthy').waitFor({ timeout: CONVERGE_MS });

      // The tree as Argo CD users know it, each node with its health.
      const tree = page.getByRole('tree', { name: /^Resources of web/ });
      await tree.waitFor();
      const item = (kind: string) => tree.getByRole('treeitem').filter({ has: page.getByText(kind, { exact: true }) });
      // The ReplicaSet and its Pod arrive after the Deployment (the tree is polled while shown):
      // once the Deployment has children, open everything.
      await item('Deployment').and(page.locator('[aria-expanded]')).waitFor({ timeout: CONVERGE_MS });
      await page.getByRole('button', { name: 'Expand all' }).click();
      await item('Deployment').filter({ hasText: 'Healthy' }).waitFor({ timeout: CONVERGE_MS });
      await item('ReplicaSet').filter({ hasText: 'Healthy' }).waitFor({ timeout: CONVERGE_MS });
      await item('Pod').filter({ hasText: 'Healthy' }).waitFor({ timeout: CONVERGE_MS });
      await item('ConfigMap').filter({ hasText: 'Synced' }).waitFor();
      const live = await kget(['deployment', 'web']);
      assert.equal(live.spec.template.spec.containers[0].image, 'registry.test/web:1');
      await checkA11y(page, 'application');
      await shot('application');
      ui.assertClean();
    });

    test('a drift made with kubectl shows as OutOfSync with its diff; a sync puts it back', async () => {
      await world.cluster.kubectl(['-n', ns, 'patch', 'configmap', 'web-config', '--type', 'merge', '-p', '{"data":{"greeting":"tampered"}}']);
      // Live: the page follows the engine without a reload.
      await summary('Sync').getByText('OutOfSync').waitFor({ timeout: CONVERGE_MS });
      await page.getByRole('tab', { name: 'Differences' }).click();
      await page.getByText(/^1 of \d+ resources differ from Git\.$/).waitFor();
      const section = page.getByRole('region').filter({ hasText: 'tampered' });
      await section.getByText('hello').first().waitFor();
      await checkA11y(page, 'diff');
      await shot('diff');

      await page.getByRole('button', { name: 'Sync', exact: true }).click();
      await page.getByRole('dialog', { name: 'Sync web' }).getByRole('button', { name: 'Synchronize' }).click();
      await summary('Sync').getByText('Synced').waitFor({ timeout: CONVERGE_MS });
      await until('the ConfigMap restored', async () => (await kget(['configmap', 'web-config'])).data.greeting === 'hello', CONVERGE_MS);
      ui.assertClean();
    });

    test('a new commit is synced, and the history rolls back to the first revision', async () => {
      const second = await world.git.commit('shop/deploy', { 'web/deploy.yaml': yamlDocs(deployment('registry.test/web:2')) }, 'web 2');
      await page.getByRole('button', { name: 'Refresh', exact: true }).click();
      await summary('Sync').getByText('OutOfSync').waitFor({ timeout: CONVERGE_MS });
      await page.getByRole('button', { name: 'Sync', exact: true }).click();
      await page.getByRole('dialog', { name: 'Sync web' }).getByRole('button', { name: 'Synchronize' }).click();
      await until('image web:2 in the cluster', async () => (await kget(['deployment', 'web'])).spec.template.spec.containers[0].image === 'registry.test/web:2', CONVERGE_MS);
      await summary('Sync').getByText(second.slice(0, 7)).waitFor({ timeout: CONVERGE_MS });

      await page.getByRole('tab', { name: 'History' }).click();
      const rollback = page.getByRole('button', { name: new RegExp(`^Rollback to ${first.slice(0, 7)}`) }).first();
      await rollback.waitFor();
      await checkA11y(page, 'history');
      await shot('history');
      await rollback.click();
      await page.getByRole('dialog', { name: 'Roll back web?' }).getByRole('button', { name: 'Roll back' }).click();
      await until('image web:1 in the cluster again', async () => (await kget(['deployment', 'web'])).spec.template.spec.containers[0].image === 'registry.test/web:1', CONVERGE_MS);
      await page.getByRole('table', { name: /syncs of web/ }).getByText('rollback by admin').waitFor({ timeout: CONVERGE_MS });
      ui.assertClean();
    });

    test('the applications list shows the application with its state', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Applications' }).click();
      const table = page.getByRole('table', { name: '1 application' });
      const row = table.getByRole('row').filter({ has: page.getByRole('link', { name: 'web', exact: true }) });
      await row.getByText('Healthy').waitFor({ timeout: CONVERGE_MS });
      await checkA11y(page, 'applications');
      await shot('applications');
      ui.assertClean();
    });
  });
}
