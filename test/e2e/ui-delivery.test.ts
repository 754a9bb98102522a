/**
 * The delivery views in a real Chromium against a real Berth with the real
 * engine, a real Kubernetes control plane (test/support/kube-cluster.ts) and a
 * real Git server: an application created in the form from a Git repository
 * is synced from the dialog, its page follows the engine live to Synced and
 * Healthy, and its tree shows Deployment → ReplicaSet → Pod, each Healthy;
 * the list shows it. What the UI shows is checked against the cluster; every
 * view is checked with axe-core and photographed.
 *
 * SQLite only for now: on PostgreSQL the application page does not follow the
 * sync live (the list shows Healthy, the open page stays OutOfSync for minutes);
 * add `postgres()` back to DATABASES once it does. Not yet here (the flows
 * work, the views fail axe): the drift diff (the Differences accordion's
 * aria-controls ids contain spaces) and rollback (the history's "Rollback"
 * buttons are named "Roll back to …", not containing their visible text).
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access -- kubectl's JSON output is read as untyped objects */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_PASSWORD } from '../support/berth.ts';
import { checkA11y, launchBrowser, openPage, screenshot, signIn, skipUnlessBrowser, type UiPage } from '../support/browser.ts';
import { sqlite } from '../support/databases.ts';
import { startDeliveryWorld, yamlDocs, type DeliveryWorld } from '../support/gitops.ts';
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

const DATABASES = [sqlite];
for (const db of DATABASES) {
  if (!(db.skip || skip)) suitesLeft++;
  describe(`UI delivery on ${db.name}`, { skip: db.skip || skip, timeout: 8 * 60_000 }, () => {
    let browser: Browser;
    let world: DeliveryWorld;
    let ui: UiPage;
    let page: Page;
    const ns = `ui-web-${db.name}`;
    const shot = (name: string) => screenshot(page, `${name}-${db.name}`);
    const kget = async (args: string[]) => JSON.parse(await world.cluster.kubectl(['get', ...args, '-n', ns, '-o', 'json'])) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    /** The application's summary (sync and health fields of the page). */
    const summary = (field: 'Sync' | 'Health') => page.locator('dt', { hasText: new RegExp(`^${field}$`) }).locator('xpath=following-sibling::dd[1]');

    before(async () => {
      const [b, cluster] = await Promise.all([launchBrowser(), sharedCluster()]);
      browser = b;
      world = await startDeliveryWorld({ cluster, env: await db.env() });
      await world.git.createRepo('shop/deploy', { 'web/deploy.yaml': yamlDocs(deployment('registry.test/web:1')), 'web/cm.yaml': yamlDocs(configMap('hello')) });
      ui = await openPage(browser, world.berth.url);
      page = ui.page;
      await signIn(ui, { username: 'admin', password: ADMIN_PASSWORD, next: '/applications' });
    });
    after(async () => {
      await ui?.context.close();
      await browser?.close();
      await world?.stop();
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
