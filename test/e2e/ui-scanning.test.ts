/**
 * The scanning views in a real Chromium against a real Berth (SQLite and
 * PostgreSQL): an administrator uploads real advisory data on the
 * vulnerability-data page (/work/shared/vulndata: Alpine secdb v3.11 and OSV
 * PyPI), pushes an image with crane, scans it from
 * the artifact list and sees the result arrive without a reload (the event
 * stream), reads the vulnerability table (severity, fixable, package and text
 * filters, sort, detail with CVSS and links), the packages tab, downloads the
 * SBOM in both formats, turns auto-scan on and sees a push scanned by
 * itself; a guest sees the results but no Scan button and no data page.
 * Every view is checked with axe-core (light; dark at 390 px for the guest)
 * and photographed.
 *
 * The image is hand-made (its files are the formats the real tools write:
 * apk's installed database, os-release, a wheel's METADATA) so that what it
 * holds is known exactly; the advisories are the real files, and what the
 * test expects is read from them here, not from Berth's matcher.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_PASSWORD, startTestBerth, type TestBerth } from '../support/berth.ts';
import { checkA11y, launchBrowser, openPage, screenshot, signIn, sinceNavigationStart, skipUnlessBrowser, UI_TIMEOUT_MS, type UiPage } from '../support/browser.ts';
import { testDatabases } from '../support/databases.ts';
import { addMember, ADMIN, createUser, must, PASSWORD } from '../support/matrix-fixture.ts';
import { call } from '../support/matrix-http.ts';
import { makeTar, mustRun } from '../support/oci-layout.ts';
import { peerPath, skipUnlessPeer } from '../support/peers.ts';
import { VULNDATA } from '../support/vulndata.ts';

const SECDB = path.join(VULNDATA, 'alpine-secdb', 'v3.11', 'main.json');
const PYPI = path.join(VULNDATA, 'osv', 'PyPI', 'all.zip');
const skip = skipUnlessBrowser() || skipUnlessPeer('crane');

/** What the image holds (apk's installed database and a wheel's METADATA). */
const APK = [
  { name: 'musl', version: '1.1.24-r2', origin: 'musl' },
  { name: 'busybox', version: '1.31.1-r9', origin: 'busybox' },
  { name: 'curl', version: '7.64.0-r0', origin: 'curl' },
  { name: 'libcurl', version: '7.64.0-r0', origin: 'curl' },
  { name: 'expat', version: '2.2.6-r0', origin: 'expat' },
];
const WHEEL = { name: 'aiohttp', version: '3.8.0' };

function apkDatabase(): string {
  return APK.map((p) => `C:Q1${Buffer.from(p.name).toString('base64')}=\nP:${p.name}\nV:${p.version}\nA:x86_64\nS:1000\nI:4000\nT:${p.name}\nU:https://alpinelinux.org\nL:MIT\no:${p.origin}\nm:Test <test@example.org>\nt:1586000000\n\n`).join('');
}

function layerFiles(extra: string): { name: string; data: Buffer }[] {
  const text = (s: string) => Buffer.from(s);
  return [
    { name: 'etc/alpine-release', data: text('3.11.6\n') },
    { name: 'etc/os-release', data: text('NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.11.6\nPRETTY_NAME="Alpine Linux v3.11"\nHOME_URL="https://alpinelinux.org/"\n') },
    { name: 'lib/apk/db/installed', data: text(apkDatabase()) },
    { name: `usr/lib/python3.8/site-packages/${WHEEL.name}-${WHEEL.version}.dist-info/METADATA`, data: text(`Metadata-Version: 2.1\nName: ${WHEEL.name}\nVersion: ${WHEEL.version}\nSummary: Async http client/server framework (asyncio)\nLicense: Apache 2\n\n`) },
    { name: `app/${extra}.txt`, data: text(`${extra}\n`) },
  ];
}

/** apk versions as they appear in the secdb (digits, dots, letters, -rN): enough to order these. */
function apkCompare(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.\-_r]+/).filter(Boolean).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/** The CVEs the secdb says are fixed after `version` of source package `name` (independently of Berth). */
async function secdbExpected(name: string, version: string): Promise<Map<string, string>> {
  const db = JSON.parse(await readFile(SECDB, 'utf8')) as { packages: { pkg: { name: string; secfixes: Record<string, string[]> } }[] };
  const pkg = db.packages.find((p) => p.pkg.name === name);
  const out = new Map<string, string>();
  for (const [fixed, cves] of Object.entries(pkg?.pkg.secfixes ?? {})) {
    if (apkCompare(fixed, version) <= 0) continue;
    for (const cve of cves) {
      const known = out.get(cve);
      // The lowest fix above the installed version.
      if (!known || apkCompare(fixed, known) < 0) out.set(cve, fixed);
    }
  }
  return out;
}

/** "1–25 of N" under a paged table once its page has loaded (aria-busy false): N, or 0 when it says it is empty. */
async function totalOf(page: Page, caption: string): Promise<number> {
  const table = page.getByRole('table', { name: caption });
  await table.waitFor();
  // The URL (filters) changed a moment ago: let the new query start before waiting for its end.
  await page.waitForTimeout(150);
  await page.locator('table[aria-busy="false"]').filter({ has: page.locator('caption', { hasText: caption }) }).waitFor();
  const range = page.getByText(/^\d+–\d+ of \d+$/);
  const empty = page.getByText(/^No (known vulnerabilities|vulnerability matches|package)/);
  await range.or(empty).first().waitFor();
  if ((await range.count()) === 0) return 0;
  return Number((await range.first().innerText()).split(' of ')[1]);
}

for (const db of await testDatabases()) {
  describe(`UI scanning on ${db.name}`, { skip: db.skip || skip, timeout: 8 * 60_000 }, () => {
    let browser: Browser;
    let berth: TestBerth;
    let tmp: string;
    let crane: string;
    let env: NodeJS.ProcessEnv;
    let admin: UiPage;
    let digest: string;
    const short = (d: string) => d.slice(0, 'sha256:'.length + 12);
    const shot = (ui: UiPage, name: string) => screenshot(ui.page, `${name}-${db.name}`);
    const run = (args: string[]) => mustRun(crane, [...args, '--insecure'], { env, timeoutMs: 120_000 });
    const push = async (tag: string) => {
      const file = path.join(tmp, `layer-${tag}.tar.gz`);
      await writeFile(file, gzipSync(makeTar(layerFiles(tag))));
      const ref = (await run(['append', '--oci-empty-base', '-f', file, '-t', `${berth.hostPort}/shop/web:${tag}`])).stdout.toString().trim();
      const d = ref.split('@')[1]!;
      assert.match(d, /^sha256:[0-9a-f]{64}$/);
      return d;
    };

    before(async () => {
      crane = peerPath('crane');
      [browser, berth] = await Promise.all([launchBrowser(), db.env().then((e) => startTestBerth(e))]);
      tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-ui-scanning-'));
      env = { ...process.env, HOME: tmp, DOCKER_CONFIG: path.join(tmp, 'docker'), XDG_RUNTIME_DIR: tmp };
      await run(['auth', 'login', berth.hostPort, '-u', 'admin', '-p', ADMIN_PASSWORD]);
      must(await call(berth.url, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'shop', public: false } }), 201, 'create project shop');
      await createUser(berth.url, 'gina');
      await addMember(berth.url, 'shop', 'gina', 'guest');
      admin = await openPage(browser, berth.url);
      await signIn(admin, { username: 'admin', password: ADMIN_PASSWORD });
    });
    after(async () => {
      await admin?.context.close();
      await browser?.close();
      await berth?.stop();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    test('the advisories are imported on the vulnerability-data page (the real files, uploaded)', async () => {
      const { page } = admin;
      await page.getByRole('link', { name: 'Vulnerability data' }).click();
      await page.getByRole('heading', { name: /Vulnerability data/ }).first().waitFor();
      for (const [file, source] of [[SECDB, 'alpine-secdb'], [PYPI, 'osv-PyPI']] as const) {
        // Mantine's FileInput is a button; its hidden file input takes the file.
        await page.locator('input[type="file"]').setInputFiles(file);
        await page.getByRole('button', { name: 'Import', exact: true }).click();
        const status = page.getByRole('status').filter({ hasText: /^Imported / });
        await status.filter({ hasText: source }).waitFor({ timeout: UI_TIMEOUT_MS });
        const records = Number(/([\d,]+) records/.exec(await status.innerText())![1]!.replaceAll(',', ''));
        assert.ok(records > 0, `${file}: ${records} records`);
      }
      // The sources table lists both, and the lookup the scanner uses sees them.
      await page.getByRole('cell', { name: 'osv-PyPI', exact: true }).waitFor();
      await page.getByRole('cell', { name: 'alpine-secdb-v3.11-main', exact: true }).waitFor();
      await checkA11y(page, 'vulndb-imported');
      await shot(admin, 'vulndb-imported');
      const found = await berth.vulndb.lookup([{ ecosystem: 'PyPI', name: 'django' }]);
      assert.ok(found.length > 0);
    });

    test('an image is scanned from the artifact list; the result arrives without a reload', async () => {
      digest = await push('v1');
      const { page } = admin;
      await page.goto('/projects/shop/repositories/web');
      const artifacts = page.getByRole('table', { name: 'Artifacts of shop/web' });
      const row = artifacts.getByRole('row').filter({ has: page.getByRole('link', { name: short(digest) }) });
      await row.getByText('Not scanned').waitFor();
      await checkA11y(page, 'repository-unscanned');
      let listLoads = 0;
      page.on('request', (r) => {
        if (/\/repositories\/web\/artifacts\?/.test(r.url())) listLoads++;
      });
      const started = Date.now();
      await row.getByRole('button', { name: `Scan ${short(digest)}` }).click();
      // The summary bar's accessible name lists the counts; it replaces "Queued"/"Scanning…".
      const bar = row.getByRole('img', { name: /vulnerabilities \(/ });
      await bar.waitFor({ timeout: 90_000 });
      const seconds = (Date.now() - started) / 1000;
      assert.ok(listLoads <= 4, `the list reloaded ${listLoads} times: only after the click and the events, no polling`);
      console.log(`# ${db.name}: scan requested → result in the list ${seconds.toFixed(1)} s`);
      await checkA11y(page, 'repository-scanned');
      await shot(admin, 'repository-scanned');
      admin.assertClean();
    });

    test('the artifact page: summary, vulnerabilities with filters and detail, packages', async () => {
      const { page } = admin;
      const curl = await secdbExpected('curl', '7.64.0-r0');
      const expat = await secdbExpected('expat', '2.2.6-r0');
      assert.ok(curl.size > 0 && expat.size > 0, 'the data names vulnerabilities of the installed versions');

      await page.getByRole('table', { name: 'Artifacts of shop/web' }).getByRole('link', { name: short(digest) }).click();
      await page.getByRole('heading', { name: `web@${short(digest)}` }).waitFor();
      const status = page.getByRole('status', { name: 'Scan status' });
      await status.getByText('Scanned').waitFor();
      await page.getByRole('table', { name: 'Platforms scanned' }).waitFor();
      await page.getByRole('tab', { name: /^Vulnerabilities \(\d+\)$/ }).click();
      const caption = 'Vulnerabilities';
      const table = page.getByRole('table', { name: caption });
      const all = await totalOf(page, caption);
      assert.ok(all >= curl.size + expat.size, `${all} findings, at least the ${curl.size + expat.size} of curl and expat`);
      // Default order: most severe first.
      const firstSeverity = (await table.getByRole('row').nth(1).getByRole('cell').nth(1).innerText()).trim();
      assert.ok(['Critical', 'High', 'Medium'].includes(firstSeverity), `first row is ${firstSeverity}`);
      await checkA11y(page, 'vulnerabilities');
      await shot(admin, 'vulnerabilities');

      // Package filter: exactly the CVEs the secdb lists for curl (libcurl and curl share the source package, each reported once per package).
      await page.getByLabel('Package', { exact: true }).fill('curl');
      await page.waitForURL(/v_package=curl/);
      const curlRows = await totalOf(page, caption);
      assert.ok(curlRows >= curl.size, `${curlRows} rows for curl, the secdb lists ${curl.size}`);
      const [cve, fixed] = [...curl.entries()][0]!;
      await page.getByLabel('Search vulnerabilities').fill(cve);
      await page.waitForURL(new RegExp(`v_q=${cve}`));
      await table.getByRole('button', { name: cve }).first().waitFor();
      await table.getByRole('row').nth(1).getByText(fixed, { exact: true }).waitFor();
      await table.getByRole('button', { name: cve }).first().click();
      const dialog = page.getByRole('dialog', { name: cve });
      await dialog.getByText(fixed).first().waitFor();
      await checkA11y(page, 'vulnerability-detail');
      await shot(admin, 'vulnerability-detail');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await page.getByLabel('Search vulnerabilities').fill('');
      await page.getByLabel('Package', { exact: true }).fill('');
      await page.waitForURL((u) => !u.search.includes('v_package') && !u.search.includes('v_q'));

      // Severity filter: only High rows (aiohttp's CVSS 3.1 vectors score 7.5); then fixable only.
      // A Chip's input is visually hidden: the label is what a pointer clicks.
      await page.getByRole('group', { name: 'Severity' }).getByText('High', { exact: true }).click();
      await page.waitForURL(/v_severity=High/);
      const high = await totalOf(page, caption);
      assert.ok(high > 0 && high < all, `${high} High of ${all}`);
      const severities = await table.locator('tbody tr td:nth-child(2)').allInnerTexts();
      assert.deepEqual([...new Set(severities.map((s) => s.trim()))], ['High']);
      const cvss = await table.locator('tbody tr td:nth-child(3)').allInnerTexts();
      assert.ok(cvss.every((s) => Number(s) >= 7 && Number(s) < 9), `CVSS of High rows: ${cvss.join(', ')}`);
      await page.getByRole('group', { name: 'Severity' }).getByText('High', { exact: true }).click();
      await page.waitForURL((u) => !u.search.includes('v_severity'));
      // Filters live in the URL (a router navigation, applied a tick later): click, then wait for the URL.
      await page.getByRole('checkbox', { name: 'Fixable only' }).click();
      await page.waitForURL(/v_fixable=true/);
      const fixable = await totalOf(page, caption);
      assert.ok(fixable > 0 && fixable <= all, `${fixable} fixable of ${all}`);
      assert.equal(await table.getByText('No fix', { exact: true }).count(), 0);
      await page.getByRole('checkbox', { name: 'Fixable only' }).click();
      await page.waitForURL((u) => !u.search.includes('v_fixable'));

      // Sort by package, ascending: the API's order is kept.
      await table.getByRole('button', { name: /^Package/ }).click();
      await page.waitForURL(/v_sort=package/);
      await table.locator('[aria-sort="ascending"]').waitFor();

      // Packages: everything in the image, filtered by type.
      await page.getByRole('tab', { name: /^Packages \(\d+\)$/ }).click();
      const packages = page.getByRole('table', { name: 'Packages' });
      assert.equal(await totalOf(page, 'Packages'), APK.length + 1);
      await packages.getByText('aiohttp', { exact: true }).waitFor();
      await page.getByRole('combobox', { name: 'Package type' }).click();
      await page.getByRole('option', { name: 'apk' }).click();
      await page.waitForURL(/p_type=apk/);
      assert.equal(await totalOf(page, 'Packages'), APK.length);
      await checkA11y(page, 'packages');
      await shot(admin, 'packages');
      admin.assertClean();
    });

    test('the SBOM downloads as CycloneDX and as SPDX', async () => {
      const { page } = admin;
      for (const [item, check] of [
        ['CycloneDX 1.6 (JSON)', (doc: Record<string, unknown>) => assert.equal(doc.bomFormat, 'CycloneDX')],
        ['SPDX 2.3 (JSON)', (doc: Record<string, unknown>) => assert.equal(doc.spdxVersion, 'SPDX-2.3')],
      ] as const) {
        await page.getByRole('button', { name: 'Download SBOM' }).click();
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: item }).click()]);
        const file = path.join(tmp, download.suggestedFilename() || 'sbom.json');
        await download.saveAs(file);
        const text = await readFile(file, 'utf8');
        const doc = JSON.parse(text) as Record<string, unknown>;
        check(doc);
        for (const p of [...APK, WHEEL]) assert.ok(text.includes(p.name) && text.includes(p.version), `${item} lists ${p.name} ${p.version}`);
      }
      admin.assertClean();
    });

    test('with auto-scan on, a pushed image is scanned by itself and the list shows it live', async () => {
      const { page } = admin;
      await page.goto('/projects/shop');
      const toggle = page.getByRole('switch', { name: 'Scan on push' });
      assert.equal(await toggle.isChecked(), false);
      // Its state is the server's (applied when the PUT answers): click, then wait for the answer.
      await toggle.click();
      await page.getByText('Images pushed to shop will be scanned').waitFor();
      assert.equal(await toggle.isChecked(), true);
      await checkA11y(page, 'project-auto-scan');
      // The SBOM-after-scan switch beside it writes Harbor's auto_sbom_generation (on, then off again).
      const sbomToggle = page.getByRole('switch', { name: 'SBOM after scan' });
      assert.equal(await sbomToggle.isChecked(), false);
      await sbomToggle.click();
      await page.getByText('Each scan in shop will attach a CycloneDX SBOM to the image').waitFor();
      const withSbom = must(await call(berth.url, 'GET', '/api/v1/projects/shop', { auth: ADMIN }), 200, 'project').body as { metadata?: Record<string, string> };
      assert.deepEqual([withSbom.metadata?.auto_scan, withSbom.metadata?.auto_sbom_generation], ['true', 'true']);
      // The notification just shown lies over the header's switches: off again by keyboard.
      await sbomToggle.press('Space');
      await page.getByText('Scans in shop will no longer attach SBOMs').waitFor();
      const project = must(await call(berth.url, 'GET', '/api/v1/projects/shop', { auth: ADMIN }), 200, 'project').body as { metadata?: Record<string, string> };
      assert.deepEqual([project.metadata?.auto_scan, project.metadata?.auto_sbom_generation], ['true', 'false']);

      await page.getByRole('table', { name: 'Repositories of shop' }).getByRole('link', { name: 'shop/web' }).click();
      await page.getByRole('table', { name: 'Artifacts of shop/web' }).getByRole('link', { name: short(digest) }).waitFor();
      const second = await push('v2');
      const row = page.getByRole('table', { name: 'Artifacts of shop/web' }).getByRole('row').filter({ has: page.getByRole('link', { name: short(second) }) });
      // The push and the scan's end both arrive as events: no reload, no click.
      await row.getByRole('img', { name: /vulnerabilities \(/ }).waitFor({ timeout: 90_000 });
      admin.assertClean();
    });

    test('a guest sees results but no Scan button and no vulnerability-data page', async () => {
      const guest = await openPage(browser, berth.url, { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
      const { page } = guest;
      await signIn(guest, { username: 'gina', password: PASSWORD, next: '/projects/shop/repositories/web' });
      await page.getByRole('table', { name: 'Artifacts of shop/web' }).getByRole('img', { name: /vulnerabilities \(/ }).first().waitFor();
      assert.equal(await page.getByRole('button', { name: /^(Scan|Rescan)/ }).count(), 0, 'no scan buttons for a guest');
      await checkA11y(page, 'repository-guest-dark');
      await page.goto(`/projects/shop/repositories/web/artifacts/${encodeURIComponent(digest)}?tab=vulnerabilities`);
      await page.getByRole('table', { name: 'Vulnerabilities' }).getByRole('row').nth(1).waitFor();
      // A fresh load straight into the vulnerability table (a link someone shared): when its first row shows.
      console.log(`# ${db.name}: vulnerabilities tab, fresh load → first row ${await sinceNavigationStart(page)} ms`);
      assert.equal(await page.getByRole('button', { name: /^(Scan|Rescan)$/ }).count(), 0);
      await checkA11y(page, 'vulnerabilities-guest-dark');
      await shot(guest, 'vulnerabilities-narrow-dark');
      await page.goto('/projects/shop');
      await page.getByRole('table', { name: 'Repositories of shop' }).waitFor();
      assert.equal(await page.getByRole('switch', { name: 'Scan on push' }).count(), 0, 'a guest cannot change auto-scan');
      assert.equal(await page.getByRole('switch', { name: 'SBOM after scan' }).count(), 0, 'nor the SBOM setting');
      assert.equal(await page.getByRole('link', { name: 'Vulnerability data' }).count(), 0);
      await page.goto('/admin/vulnerability-data');
      await page.getByText('Only system administrators manage vulnerability data.').waitFor({ timeout: UI_TIMEOUT_MS });
      await checkA11y(page, 'vulndb-guest-dark');
      await guest.close();
    });
  });
}
