/**
 * `npm run bench:ui`: the web UI with real amounts in Debian's Chromium, on
 * SQLite and PostgreSQL (a throwaway cluster, test/support/postgres.ts): a
 * repository with 10,000 artifacts and 1,000 applications are seeded through
 * the public interfaces (test/support/ui-seed.ts), then test/support/ui-measure.ts
 * times the first contentful paint, navigation → first page of the artifacts
 * table, → page 2, navigation → the applications list, → page 2. Writes
 * bench/results/ui-<YYYY-MM-DD>.json with the machine's load average (the
 * figures move with what else runs on the two cores). Needs `node
 * scripts/build-web.ts` first (npm start and npm test do it).
 *
 * Environment: BENCH_UI_ARTIFACTS (default 10000), BENCH_UI_APPLICATIONS
 * (default 1000), BENCH_UI_DATABASES (default sqlite,postgres), BENCH_RESULTS.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_PASSWORD, basicAuth, freePort, startTestBerth } from '../test/support/berth.ts';
import { launchBrowser, skipUnlessBrowser } from '../test/support/browser.ts';
import { testDatabases } from '../test/support/databases.ts';
import { startGitServer } from '../test/support/git-server.ts';
import { measureUi } from '../test/support/ui-measure.ts';
import { seedApplications, seedArtifacts } from '../test/support/ui-seed.ts';

const artifacts = Number(process.env.BENCH_UI_ARTIFACTS ?? 10_000);
const applications = Number(process.env.BENCH_UI_APPLICATIONS ?? 1_000);
const wanted = (process.env.BENCH_UI_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
const loadavg = () => os.loadavg().map((n) => Math.round(n * 100) / 100);

const why = skipUnlessBrowser();
if (why) {
  console.error(`bench:ui: ${why}`);
  process.exit(1);
}

const runs = [];
const browser = await launchBrowser();
const chromium = browser.version();
const git = await startGitServer();
await git.createRepo('fleet/apps', { 'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n' });
try {
  for (const db of await testDatabases()) {
    if (!wanted.includes(db.name)) continue;
    if (db.skip) throw new Error(`${db.name}: ${db.skip}`);
    const loadBefore = loadavg();
    const berth = await startTestBerth({ ...(await db.env()), BERTH_GITOPS_IN_CLUSTER: 'false', BERTH_GITOPS_STATUS_PROCESSORS: '2', BERTH_GITOPS_RECONCILE_SECONDS: '3600' });
    try {
      const auth = basicAuth();
      const api = async (method: string, p: string, body: unknown) => {
        const res = await fetch(`${berth.url}/api/v1${p}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
      };
      await api('POST', '/projects', { name: 'perf' });
      await api('POST', '/projects', { name: 'fleet' });
      await api('PUT', '/projects/fleet/delivery', { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] });
      await api('POST', '/clusters', { name: 'offline', server: `https://127.0.0.1:${await freePort()}`, bearerToken: 'not-used' });
      const seededArtifacts = await seedArtifacts(berth.url, auth, 'perf/big', artifacts);
      const seededApps = await seedApplications(berth.url, auth, applications, { project: 'fleet', repoURL: git.url('fleet/apps'), path: 'app', cluster: 'offline' });
      const figures = await measureUi(browser, berth.url, { username: 'admin', password: ADMIN_PASSWORD, repository: { project: 'perf', name: 'big' }, artifacts, applications, shotSuffix: `bench-${db.name}` });
      const run = { database: db.name, loadAverageBefore: loadBefore, loadAverageAfter: loadavg(), seeding: { artifacts: seededArtifacts, applications: seededApps }, ...figures };
      console.log(`${db.name}: ${JSON.stringify(figures.timings)} (seeding ${seededArtifacts.perSecond} artifacts/s, ${seededApps.perSecond} applications/s; load ${loadBefore.join(' ')})`);
      runs.push(run);
    } finally {
      await berth.stop();
    }
  }
} finally {
  await browser.close();
  await git.stop();
}

const file = process.env.BENCH_RESULTS ?? path.join(import.meta.dirname, 'results', `ui-${new Date().toISOString().slice(0, 10)}.json`);
await mkdir(path.dirname(file), { recursive: true });
await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30) }, chromium, artifacts, applications, runs }, null, 2)}\n`);
console.log(`wrote ${file}`);
process.exit(0);
