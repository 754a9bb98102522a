/**
 * The scanner's test images (test/peers/scan-images.sh: Debian by
 * debootstrap, PyPI, npm, a Go binary, Maven JARs and a WAR, a Rust binary
 * built with cargo-auditable, all real packages at old versions) and what
 * the scanning suites do with them: push
 * an image's OCI layout to a Berth with skopeo, scan it through the API and
 * read the report, packages and vulnerabilities back, page by page.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ADMIN_PASSWORD, basicAuth, type TestBerth } from './berth.ts';
import { OciLayout, mustRun } from './oci-layout.ts';
import { inCI } from './peers.ts';

export const SCAN_IMAGES = ['debian', 'python', 'node', 'go', 'java', 'rust'] as const;
export type ScanImageName = (typeof SCAN_IMAGES)[number];

let built: Map<ScanImageName, string> | Error | undefined;

/**
 * Builds (or finds in ~/.cache/berth/scan-images) every test image and returns
 * name → OCI layout directory (tag `latest`), or an Error saying why not.
 * Throws in CI. A cold build takes minutes (debootstrap, downloads).
 */
export async function scanImages(): Promise<Map<ScanImageName, string> | Error> {
  if (built === undefined) {
    try {
      const { stdout } = await promisify(execFile)('bash', [path.join(import.meta.dirname, '..', 'peers', 'scan-images.sh')], {
        encoding: 'utf8',
        timeout: 30 * 60_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      const map = new Map<ScanImageName, string>();
      for (const line of stdout.trim().split('\n')) {
        const eq = line.indexOf('=');
        const name = line.slice(0, eq) as ScanImageName;
        if (eq > 0 && SCAN_IMAGES.includes(name)) map.set(name, line.slice(eq + 1));
      }
      const missing = SCAN_IMAGES.filter((n) => !map.has(n));
      built = missing.length ? new Error(`scan-images.sh built no ${missing.join(', ')}`) : map;
    } catch (err) {
      const e = err as Error & { stderr?: string };
      built = new Error(`the scan test images are unavailable: ${e.message.split('\n')[0]}\n${(e.stderr ?? '').slice(-3000)}`);
    }
  }
  if (built instanceof Error && inCI) throw built;
  return built;
}

/** For node:test `skip`: false when the images exist, else the reason. */
export async function skipUnlessScanImages(): Promise<false | string> {
  const m = await scanImages();
  return m instanceof Error ? m.message : false;
}

/** Copies an image layout into Berth with skopeo; resolves with the manifest digest. */
export async function pushLayout(skopeo: string, berth: TestBerth, layoutDir: string, repository: string, tag = 'latest'): Promise<string> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-scan-push-'));
  try {
    const policy = path.join(tmp, 'policy.json');
    await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    const env = { ...process.env, HOME: tmp, XDG_RUNTIME_DIR: tmp, XDG_CONFIG_HOME: path.join(tmp, '.config'), REGISTRY_AUTH_FILE: path.join(tmp, 'auth.json') };
    await mustRun(
      skopeo,
      ['--policy', policy, 'copy', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', `admin:${ADMIN_PASSWORD}`, `oci:${layoutDir}:latest`, `docker://${berth.hostPort}/${repository}:${tag}`],
      { env, timeoutMs: 300_000 },
    );
    return (await new OciLayout(layoutDir).resolve('latest')).digest;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

const auth = { authorization: basicAuth() };

/** `/api/v1/projects/{p}/repositories/{r}/artifacts/{ref}` for `project/repo`. */
export function artifactUrl(berth: TestBerth, repository: string, ref: string): string {
  const slash = repository.indexOf('/');
  const project = repository.slice(0, slash);
  const repo = encodeURIComponent(encodeURIComponent(repository.slice(slash + 1)));
  return `${berth.url}/api/v1/projects/${project}/repositories/${repo}/artifacts/${encodeURIComponent(ref)}`;
}

export interface ScanReport {
  report_id: string;
  scan_status: 'Pending' | 'Running' | 'Success' | 'Error';
  severity: string;
  summary: { total: number; fixable: number; summary: Record<string, number> };
  start_time?: string;
  end_time?: string;
  scanner: { name: string; vendor: string; version: string };
  error?: string;
  platforms: { digest: string; os: string; architecture: string; distro?: unknown; packages: number }[];
  skipped: { path: string; layer?: string; reason: string }[];
}

/** Starts a scan and waits until its report is Success (or fails the test with the report). */
export async function scanAndWait(berth: TestBerth, repository: string, digest: string, timeoutMs = 600_000): Promise<ScanReport> {
  const url = `${artifactUrl(berth, repository, digest)}/scan`;
  const start = await fetch(url, { method: 'POST', headers: auth });
  assert.equal(start.status, 202, `POST ${url}: ${await start.clone().text()}`);
  return waitForReport(berth, repository, digest, timeoutMs);
}

/** Polls GET …/scan until the report is finished. */
export async function waitForReport(berth: TestBerth, repository: string, digest: string, timeoutMs = 600_000): Promise<ScanReport> {
  const url = `${artifactUrl(berth, repository, digest)}/scan`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(url, { headers: auth });
    if (res.status === 200) {
      const report = (await res.json()) as ScanReport;
      if (report.scan_status === 'Success') return report;
      assert.notEqual(report.scan_status, 'Error', `scan of ${repository}@${digest} failed: ${JSON.stringify(report)}`);
    } else {
      assert.equal(res.status, 404, `GET ${url}: ${res.status} ${await res.text()}`);
    }
    assert.ok(Date.now() < deadline, `scan of ${repository}@${digest} did not finish in ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** Every item of a paged list endpoint (X-Total-Count), 100 a page. */
export async function listAll<T>(url: string): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; ; page++) {
    const res = await fetch(`${url}${url.includes('?') ? '&' : '?'}page=${page}&page_size=100`, { headers: auth });
    assert.equal(res.status, 200, `GET ${url}: ${await res.clone().text()}`);
    const items = (await res.json()) as T[];
    out.push(...items);
    const total = Number(res.headers.get('x-total-count'));
    if (items.length === 0 || out.length >= total) return out;
  }
}

export interface ApiPackage {
  name: string;
  version: string;
  type: string;
  purl: string;
  source?: string;
  location: string;
  layer: string;
  found_by: string;
}

export interface ApiVulnerability {
  id: string;
  aliases: string[];
  package: string;
  package_type: string;
  version: string;
  fix_version?: string;
  status: string;
  severity: string;
  purl: string;
  sources: string[];
}

export const packagesOf = (berth: TestBerth, repository: string, digest: string): Promise<ApiPackage[]> =>
  listAll<ApiPackage>(`${artifactUrl(berth, repository, digest)}/packages`);

export const vulnerabilitiesOf = (berth: TestBerth, repository: string, digest: string): Promise<ApiVulnerability[]> =>
  listAll<ApiVulnerability>(`${artifactUrl(berth, repository, digest)}/vulnerabilities`);
