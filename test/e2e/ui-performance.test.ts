/**
 * The UI with real amounts, measured in a real Chromium: a repository with
 * 10,000 artifacts (pushed over /v2 as distinct manifests sharing two blobs)
 * and 1,000 applications (created through the API; they point to a registered
 * cluster that is not running, so the engine keeps them in the database
 * without deploying anything, and its comparisons stay cheap). Recorded, not
 * judged against tight numbers (performance lives in benchmarks, `npm run
 * bench:ui`): first contentful paint, navigation → first page of the
 * artifacts table, → page 2, navigation → applications list, → page 2, and
 * the seeding rates. They go to test-results/ui-performance.json and the
 * log. A generous bound (10 s each) still fails a pathological regression.
 * SQLite only: the PostgreSQL figures come from `npm run bench:ui`.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ADMIN_PASSWORD, basicAuth, freePort, startTestBerth, type TestBerth } from '../support/berth.ts';
import { launchBrowser, RESULTS_DIR, skipUnlessBrowser } from '../support/browser.ts';
import { startGitServer, type GitServer } from '../support/git-server.ts';
import { measureUi, type UiFigures } from '../support/ui-measure.ts';
import { seedApplications, seedArtifacts, type SeedResult } from '../support/ui-seed.ts';

const ARTIFACTS = 10_000;
const APPLICATIONS = 1_000;
const BOUND_MS = 10_000;

describe('UI performance with 10,000 artifacts and 1,000 applications (SQLite)', { skip: skipUnlessBrowser(), timeout: 6 * 60_000 }, () => {
  let browser: Browser;
  let berth: TestBerth;
  let git: GitServer;
  const seeded: Record<string, SeedResult> = {};

  before(async () => {
    git = await startGitServer();
    await git.createRepo('fleet/apps', { 'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n' });
    [browser, berth] = await Promise.all([
      launchBrowser(),
      startTestBerth({ BERTH_GITOPS_IN_CLUSTER: 'false', BERTH_GITOPS_STATUS_PROCESSORS: '2', BERTH_GITOPS_RECONCILE_SECONDS: '3600' }),
    ]);
  });
  after(async () => {
    await browser?.close();
    await berth?.stop();
    await git?.stop();
  });

  test(`seed ${ARTIFACTS} artifacts and ${APPLICATIONS} applications`, async () => {
    const auth = basicAuth();
    const api = async (method: string, p: string, body: unknown) => {
      const res = await fetch(`${berth.url}/api/v1${p}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.ok(res.status < 300, `${method} ${p}: ${res.status} ${await res.text()}`);
    };
    await api('POST', '/projects', { name: 'perf' });
    await api('POST', '/projects', { name: 'fleet' });
    await api('PUT', '/projects/fleet/delivery', { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] });
    // A cluster nobody listens for: registered, never reached.
    await api('POST', '/clusters', { name: 'offline', server: `https://127.0.0.1:${await freePort()}`, bearerToken: 'not-used' });
    seeded.artifacts = await seedArtifacts(berth.url, auth, 'perf/big', ARTIFACTS);
    seeded.applications = await seedApplications(berth.url, auth, APPLICATIONS, { project: 'fleet', repoURL: git.url('fleet/apps'), path: 'app', cluster: 'offline' });
    console.log(`seeded ${ARTIFACTS} artifacts in ${seeded.artifacts.seconds} s (${seeded.artifacts.perSecond}/s), ${APPLICATIONS} applications in ${seeded.applications.seconds} s (${seeded.applications.perSecond}/s)`);
  });

  test('first paint, first page and page 2 of the artifacts and applications lists', async () => {
    const figures: UiFigures = await measureUi(browser, berth.url, { username: 'admin', password: ADMIN_PASSWORD, repository: { project: 'perf', name: 'big' }, artifacts: ARTIFACTS, applications: APPLICATIONS, shotSuffix: 'sqlite' });
    const result = {
      date: new Date().toISOString(),
      database: 'sqlite',
      chromium: browser.version(),
      loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
      cpus: os.cpus().length,
      seeding: seeded,
      ...figures,
    };
    await mkdir(RESULTS_DIR, { recursive: true });
    await writeFile(path.join(RESULTS_DIR, 'ui-performance.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`UI performance (ms): ${JSON.stringify(figures.timings)}`);
    for (const [name, ms] of Object.entries(figures.timings)) assert.ok(ms < BOUND_MS, `${name}: ${ms} ms (bound ${BOUND_MS} ms)`);
  });
});
