/**
 * The scanning service on a real Berth (SQLite and PostgreSQL): project
 * auto_scan as Harbor's metadata, scan on push (referrers skipped, index
 * children scanned once with their index), manual scans of an artifact and
 * a repository, scan-all, the report / vulnerabilities / packages API with
 * filters, sorting and paging, with_scan_overview on the artifact list and
 * detail, NOT_SCANNED, refusals, a failing engine ending in Error with its
 * reason and a SCANNING_FAILED webhook, SCANNING_COMPLETED, results dropped
 * when the artifact is deleted.
 *
 * The engine here is a recording engine installed through the per-project
 * engine hook (`ScanEngines.resolver`, the one the external-scanner unit
 * uses): this suite tests the service (jobs, storage, API), the analyzer and
 * matcher have their own suites on real images and data.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ScanEngine } from '../../src/supply-chain/scanning/index.ts';
import type { Finding, Inventory } from '../../src/supply-chain/types.ts';
import { basicAuth, startTestBerth, type TestBerth } from '../support/berth.ts';
import { testDatabases } from '../support/databases.ts';
import { OciClient, sha256 } from '../support/oci-client.ts';
import { startReceiver, type Receiver } from '../support/webhook-receiver.ts';

const ADMIN = basicAuth();
const DEV = basicAuth('scan-dev', 'Scan-dev-password-1');
const GUEST = basicAuth('scan-guest', 'Scan-guest-password-1');
const MIME = 'application/vnd.security.vulnerability.report; version=1.1';

function inventoryOf(digest: string): Inventory {
  const layer = `sha256:${'a'.repeat(64)}`;
  return {
    manifestDigest: digest,
    platform: { os: 'linux', architecture: 'amd64' },
    distro: { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
    packages: [
      { type: 'deb', name: 'libssl3', version: '3.0.11-1~deb12u1', source: { name: 'openssl', version: '3.0.11-1~deb12u1' }, arch: 'amd64', purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12', location: '/var/lib/dpkg/status', layer, foundBy: 'dpkg' },
      { type: 'deb', name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: { name: 'zlib', version: '1:1.2.13.dfsg-1' }, arch: 'amd64', purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12', location: '/var/lib/dpkg/status', layer, foundBy: 'dpkg' },
      { type: 'npm', name: 'lodash', version: '4.17.15', licenses: ['MIT'], purl: 'pkg:npm/lodash@4.17.15', location: '/app/package-lock.json', layer, foundBy: 'npm-lock' },
    ],
    skipped: [{ path: '/big.bin', layer, reason: 'larger than 64 MiB' }],
    stats: { layers: 1, entries: 10, bytesRead: 1000, durationMs: 5 },
  };
}

function findingsOf(inv: Inventory): Finding[] {
  const [ssl, zlib, lodash] = inv.packages;
  const base = (p: typeof ssl) => ({ packageType: p!.type, package: p!.name, installedVersion: p!.version, purl: p!.purl, layer: p!.layer, location: p!.location, links: [], sources: ['test'] });
  return [
    { ...base(ssl), id: 'CVE-2023-5678', aliases: ['DSA-5532-1'], fixedVersion: '3.0.13-1~deb12u1', status: 'affected', severity: 'Medium', cvss: { version: '3.1', score: 5.3, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L' }, summary: 'DH key generation slow' },
    { ...base(ssl), id: 'CVE-2024-0727', aliases: [], status: 'affected', severity: 'Low', summary: 'PKCS12 NULL dereference' },
    { ...base(zlib), id: 'CVE-2023-45853', aliases: [], status: 'will_not_fix', severity: 'Critical', cvss: { version: '3.1', score: 9.8, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' } },
    { ...base(lodash), id: 'CVE-2020-8203', aliases: ['GHSA-p6mc-m468-83gw'], fixedVersion: '4.17.19', status: 'affected', severity: 'High', cvss: { version: '3.1', score: 7.4, vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H' }, summary: 'Prototype pollution in zipObjectDeep' },
    { ...base(lodash), id: 'CVE-2099-0001', aliases: [], status: 'not_affected', severity: 'High' },
  ];
}

/** An engine that reports a fixed inventory per platform and fails for digests it is told to. */
class RecordingEngine implements ScanEngine {
  readonly name = 'recording';
  readonly scanned: string[] = [];
  readonly failing = new Set<string>();
  async scan(target: { digest: string }, signal: AbortSignal) {
    await sleep(20, undefined, { signal });
    this.scanned.push(target.digest);
    if (this.failing.has(target.digest)) throw new Error(`cannot read ${target.digest}: layer truncated`);
    const inv = inventoryOf(target.digest);
    return { scanner: { name: 'Recording', vendor: 'Berth tests', version: '1' }, inventories: [inv], findings: findingsOf(inv) };
  }
}

for (const database of await testDatabases()) {
  describe(`scanning on ${database.name}`, { skip: database.skip }, () => {
    let berth: TestBerth;
    let oci: OciClient;
    let receiver: Receiver;
    const engine = new RecordingEngine();
    let image: { digest: string };

    async function api<T = unknown>(method: string, p: string, auth: string | null = ADMIN, body?: unknown): Promise<{ status: number; body: T; headers: Headers }> {
      const headers: Record<string, string> = {};
      if (auth) headers.authorization = auth;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${berth.url}/api/v1${p}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      return { status: res.status, body: parsed as T, headers: res.headers };
    }
    async function must<T>(method: string, p: string, status: number, auth: string | null = ADMIN, body?: unknown): Promise<T> {
      const r = await api<T>(method, p, auth, body);
      assert.equal(r.status, status, `${method} ${p}: ${JSON.stringify(r.body)}`);
      return r.body;
    }
    interface Report {
      report_id: string;
      scan_status: string;
      severity: string;
      error?: string;
      summary: { total: number; fixable: number; summary: Record<string, number> };
      scanner: { name: string } | null;
      platforms: { digest: string; distro?: string; packages: number }[];
      skipped: { path: string; reason: string }[];
    }
    async function settled(path: string, timeoutMs = 20_000): Promise<Report> {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const r = await api<Report>('GET', `${path}/scan`);
        if (r.status === 200 && (r.body.scan_status === 'Success' || r.body.scan_status === 'Error')) return r.body;
        if (Date.now() > end) throw new Error(`scan of ${path} not settled: ${r.status} ${JSON.stringify(r.body)}`);
        await sleep(100);
      }
    }

    before(async () => {
      receiver = await startReceiver();
      berth = await startTestBerth({ ...(await database.env()), BERTH_JOBS_POLL_INTERVAL_MS: '100', BERTH_SCAN_AUTO_DELAY_MS: '300', BERTH_SCAN_MAX_ATTEMPTS: '2', BERTH_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
      berth.scanning.engines.resolver = () => Promise.resolve(engine);
      oci = new OciClient(berth.url, ADMIN);
      for (const [name, password] of [['scan-dev', 'Scan-dev-password-1'], ['scan-guest', 'Scan-guest-password-1']]) await must('POST', '/users', 201, ADMIN, { username: name, password, email: `${name}@example.com` });
    });
    after(async () => {
      await berth?.stop();
      await receiver?.close();
    });

    test('auto_scan is Harbor project metadata: set at create, read, changed', async () => {
      const p = await must<{ autoScan: boolean; metadata: { auto_scan: string; public: string } }>('POST', '/projects', 201, ADMIN, { name: 'auto', metadata: { auto_scan: 'true' } });
      assert.deepEqual([p.autoScan, p.metadata], [true, { public: 'false', auto_scan: 'true', auto_sbom_generation: 'false' }]);
      await must('POST', '/projects', 201, ADMIN, { name: 'manual' });
      assert.equal((await must<{ metadata: { auto_scan: string } }>('GET', '/projects/manual', 200)).metadata.auto_scan, 'false');
      assert.equal((await must<{ metadata: { auto_scan: string } }>('PUT', '/projects/manual', 200, ADMIN, { metadata: { auto_scan: 'true' } })).metadata.auto_scan, 'true');
      assert.equal((await must<{ metadata: { auto_scan: string } }>('PUT', '/projects/manual', 200, ADMIN, { metadata: { auto_scan: 'false' } })).metadata.auto_scan, 'false');
      assert.equal((await api('PUT', '/projects/manual', ADMIN, { metadata: { auto_scan: 'yes' } })).status, 400);
      await must('POST', '/projects/manual/members', 201, ADMIN, { kind: 'user', name: 'scan-dev', role: 'developer' });
      await must('POST', '/projects/manual/members', 201, ADMIN, { kind: 'user', name: 'scan-guest', role: 'guest' });
      await must('POST', '/projects/auto/webhooks', 201, ADMIN, { name: 'scans', eventTypes: ['SCANNING_COMPLETED', 'SCANNING_FAILED'], targets: [{ address: `${receiver.url}/scans` }] });
    });

    test('a push to an auto_scan project is scanned; the artifact list shows scan_overview', async () => {
      image = await oci.pushImage('auto/app', 'v1');
      const report = await settled('/projects/auto/repositories/app/artifacts/v1');
      assert.equal(report.scan_status, 'Success');
      assert.equal(report.severity, 'Critical');
      // not_affected is listed but not counted.
      assert.deepEqual(report.summary, { total: 4, fixable: 2, summary: { Critical: 1, High: 1, Medium: 1, Low: 1, Negligible: 0, Unknown: 0 } });
      assert.equal(report.scanner?.name, 'Recording');
      assert.deepEqual(report.platforms, [{ digest: image.digest, os: 'linux', architecture: 'amd64', distro: 'Debian GNU/Linux 12 (bookworm)', packages: 3 }]);
      assert.deepEqual(report.skipped, [{ path: '/big.bin', layer: `sha256:${'a'.repeat(64)}`, reason: 'larger than 64 MiB' }]);

      const list = await must<{ digest: string; scan_overview?: Record<string, { scan_status: string; severity: string; summary: { total: number }; complete_percent: number; report_id: string }> }[]>(
        'GET',
        '/projects/auto/repositories/app/artifacts?with_scan_overview=true',
        200,
      );
      const o = list[0]!.scan_overview?.[MIME];
      assert.ok(o, JSON.stringify(list));
      assert.deepEqual([o.scan_status, o.severity, o.summary.total, o.complete_percent, o.report_id], ['Success', 'Critical', 4, 100, report.report_id]);
      const plain = await must<{ scan_overview?: unknown }[]>('GET', '/projects/auto/repositories/app/artifacts', 200);
      assert.equal(plain[0]!.scan_overview, undefined);
      const detail = await must<{ scan_overview?: Record<string, unknown> }>('GET', `/projects/auto/repositories/app/artifacts/${image.digest}?with_scan_overview=true`, 200);
      assert.ok(detail.scan_overview?.[MIME]);

      const [hook] = await receiver.waitFor('/scans', 1);
      const payload = JSON.parse(hook!.body) as { type: string; event_data: { resources: { digest: string }[]; repository: { repo_full_name: string } } };
      assert.equal(payload.type, 'SCANNING_COMPLETED');
      assert.equal(payload.event_data.resources[0]!.digest, image.digest);
      assert.equal(payload.event_data.repository.repo_full_name, 'auto/app');
    });

    test('vulnerabilities: filters, sorting, paging, Harbor-like rows', async () => {
      const base = '/projects/auto/repositories/app/artifacts/v1/vulnerabilities';
      const all = await api<{ id: string; severity: string; fix_version?: string; status: string; cvss?: { score: number } }[]>('GET', `${base}?page_size=100`);
      assert.equal(all.status, 200);
      assert.equal(all.headers.get('x-total-count'), '5');
      assert.deepEqual(all.body.map((v) => v.id), ['CVE-2023-45853', 'CVE-2020-8203', 'CVE-2099-0001', 'CVE-2023-5678', 'CVE-2024-0727']);
      const lodash = all.body.find((v) => v.id === 'CVE-2020-8203') as unknown as Record<string, unknown>;
      assert.deepEqual(lodash, {
        id: 'CVE-2020-8203',
        aliases: ['GHSA-p6mc-m468-83gw'],
        package: 'lodash',
        package_type: 'npm',
        version: '4.17.15',
        fix_version: '4.17.19',
        status: 'affected',
        severity: 'High',
        cvss: { score: 7.4, vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', version: '3.1' },
        description: 'Prototype pollution in zipObjectDeep',
        links: [],
        purl: 'pkg:npm/lodash@4.17.15',
        layer: `sha256:${'a'.repeat(64)}`,
        location: '/app/package-lock.json',
        sources: ['test'],
      });
      const ids = async (q: string) => (await must<{ id: string }[]>('GET', `${base}?${q}`, 200)).map((v) => v.id);
      assert.deepEqual(await ids('severity=Critical,high'), ['CVE-2023-45853', 'CVE-2020-8203', 'CVE-2099-0001']);
      assert.deepEqual(await ids('fixable=true'), ['CVE-2020-8203', 'CVE-2023-5678']);
      assert.deepEqual(await ids('package=ssl&sort=id'), ['CVE-2023-5678', 'CVE-2024-0727']);
      assert.deepEqual(await ids('q=pollution'), ['CVE-2020-8203']);
      assert.deepEqual(await ids('q=dsa-5532'), ['CVE-2023-5678']);
      assert.deepEqual(await ids('sort=-cvss&page_size=2'), ['CVE-2023-45853', 'CVE-2020-8203']);
      const page2 = await api<{ id: string }[]>('GET', `${base}?sort=-cvss&page_size=2&page=2`);
      assert.deepEqual(page2.body.map((v) => v.id), ['CVE-2023-5678', 'CVE-2099-0001']);
      assert.match(page2.headers.get('link') ?? '', /rel="prev".*rel="next"/);
      for (const bad of ['severity=Severe', 'sort=-name', 'fixable=maybe', 'page_size=1000']) assert.equal((await api('GET', `${base}?${bad}`)).status, 400, bad);

      const pk = await api<{ name: string; type: string; found_by: string; source?: { name: string } }[]>('GET', '/projects/auto/repositories/app/artifacts/v1/packages');
      assert.equal(pk.headers.get('x-total-count'), '3');
      assert.deepEqual(pk.body.map((p) => `${p.type}:${p.name}`), ['deb:libssl3', 'deb:zlib1g', 'npm:lodash']);
      assert.equal(pk.body[0]!.source?.name, 'openssl');
      assert.deepEqual((await must<{ name: string }[]>('GET', '/projects/auto/repositories/app/artifacts/v1/packages?type=npm', 200)).map((p) => p.name), ['lodash']);
      assert.deepEqual((await must<{ name: string }[]>('GET', '/projects/auto/repositories/app/artifacts/v1/packages?q=zlib', 200)).map((p) => p.name), ['zlib1g']);
    });

    test('referrers are not auto-scanned, and cannot be scanned', async () => {
      const before = engine.scanned.length;
      const blob = await oci.pushBlob('auto/app', '{"sbom":true}');
      const empty = await oci.pushBlob('auto/app', '{}');
      const referrer = {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: 'application/spdx+json',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 },
        layers: [{ mediaType: 'application/spdx+json', digest: blob, size: 13 }],
        subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image.digest, size: 0 },
      };
      const body = JSON.stringify(referrer);
      const res = await oci.pushManifest('auto/app', sha256(body), body);
      assert.equal(res.status, 201, await res.text());
      await sleep(1500);
      assert.equal(engine.scanned.length, before, 'the referrer was scanned');
      const refused = await api<{ errors: { code: string }[] }>('POST', `/projects/auto/repositories/app/artifacts/${sha256(body)}/scan`);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.errors[0]!.code, 'UNSUPPORTED');
    });

    test('manual scans: NOT_SCANNED first, developers scan, guests read but may not scan', async () => {
      const pushed = await oci.pushImage('manual/web', 'v1', 'manual web layer');
      const path = '/projects/manual/repositories/web/artifacts/v1';
      const none = await api<{ errors: { code: string }[] }>('GET', `${path}/scan`);
      assert.deepEqual([none.status, none.body.errors[0]!.code], [404, 'NOT_SCANNED']);
      assert.equal((await api('GET', `${path}/vulnerabilities`)).status, 404);
      assert.equal((await api('POST', `${path}/scan`, GUEST)).status, 403);
      assert.equal((await api('POST', `${path}/scan`, null)).status, 401);
      const { job_id } = await must<{ job_id: string }>('POST', `${path}/scan`, 202, DEV);
      assert.match(job_id, /^[0-9a-f-]{36}$/);
      const report = await settled(path);
      assert.equal(report.scan_status, 'Success');
      assert.equal((await api('GET', `${path}/vulnerabilities`, GUEST)).status, 200);
      assert.equal((await api('GET', `${path}/scan`, basicAuth('nobody', 'x'))).status, 401);
      assert.ok(engine.scanned.includes(pushed.digest));
    });

    test('repository scan and scan-all queue one job per digest; scan-all is for administrators', async () => {
      await oci.pushImage('manual/web', 'v2', 'manual web layer 2');
      const repo = await must<{ queued: number }>('POST', '/projects/manual/repositories/web/scan', 202, DEV);
      assert.equal(repo.queued, 2);
      assert.equal((await api('POST', '/scan-all', DEV)).status, 403);
      const all = await must<{ queued: number }>('POST', '/scan-all', 202, ADMIN);
      assert.equal(all.queued, 3);
      await settled('/projects/manual/repositories/web/artifacts/v2');
    });

    test('a failing scan is retried, then Error with its reason and SCANNING_FAILED', async () => {
      const bad = await oci.pushImage('auto/broken', 'v1', 'broken layer');
      engine.failing.add(bad.digest);
      const report = await settled('/projects/auto/repositories/broken/artifacts/v1', 60_000);
      assert.equal(report.scan_status, 'Error');
      assert.match(report.error ?? '', /layer truncated/);
      assert.equal(engine.scanned.filter((d) => d === bad.digest).length, 2, 'BERTH_SCAN_MAX_ATTEMPTS=2 attempts');
      const end = Date.now() + 20_000;
      const failed = () => receiver.requests.filter((r) => r.path === '/scans').map((r) => JSON.parse(r.body) as { type: string; event_data: { resources: { digest: string }[] } }).find((p) => p.type === 'SCANNING_FAILED');
      while (!failed() && Date.now() < end) await sleep(100);
      assert.equal(failed()?.event_data.resources[0]!.digest, bad.digest);
    });

    test('deleting the artifact drops its results', async () => {
      await must('DELETE', `/projects/auto/repositories/broken/artifacts/v1`, 204);
      const digest = [...engine.failing][0]!;
      const end = Date.now() + 10_000;
      while ((await berth.scanning.store.report(digest)) && Date.now() < end) await sleep(100);
      assert.equal(await berth.scanning.store.report(digest), undefined);
    });
  });
}
