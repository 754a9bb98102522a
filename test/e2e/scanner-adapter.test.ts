/**
 * Harbor's Pluggable Scanner API v1.2 both ways, with Berth on each side:
 * two Berths each serve their own scanner as an adapter and register the
 * other as an external scanner; each scans an image of its own through the
 * other (the adapter pulls from the asking Berth with a short-lived token for
 * that repository only). Berth's adapter is also driven as Harbor drives
 * one: metadata and report MIME types, Basic robot credentials exchanged for
 * a token, 302 with Refresh-After, the SBOM report validated against the
 * CycloneDX schema, refusals (401, 400, 422, 501, 404). SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { basicAuth, startTestBerth, type TestBerth } from '../support/berth.ts';
import { testDatabases } from '../support/databases.ts';
import { pushAlpineImage as pushAlpine } from '../support/alpine-image.ts';
import { runCli } from '../support/cli.ts';
import { ScannerMime } from '../../src/supply-chain/scanners/spec.ts';
import { VulnDb } from '../../src/supply-chain/vulndb/store.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const schemaDir = new URL('../fixtures/sbom-schemas/', import.meta.url);
const schema = (name: string): object => JSON.parse(readFileSync(new URL(name, schemaDir), 'utf8')) as object;

const ALPINE_OS_RELEASE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.11.6\nPRETTY_NAME="Alpine Linux v3.11"\n';
// Packages at versions older than fixes the real Alpine v3.11 secdb lists (the apk origin is what secdb names).
const INSTALLED = [
  { name: 'musl', version: '1.1.22-r3', origin: 'musl' },
  { name: 'libssl1.1', version: '1.1.1d-r0', origin: 'openssl' },
  { name: 'libcrypto1.1', version: '1.1.1d-r0', origin: 'openssl' },
];
const EXPECTED_PACKAGES = INSTALLED.map((p) => `${p.name}@${p.version}`).sort();
const SECDB = '/work/shared/vulndata/alpine-secdb/v3.11/main.json';

/**
 * The findings expected, derived here from the secdb file itself (not by the
 * product's matcher): a package is affected by every CVE whose fixed version
 * is above the installed one. The versions involved all have the form
 * `x.y.z[letter]-rN`, compared field by field.
 */
function expectedFindings(): string[] {
  const key = (v: string): (number | string)[] => {
    const m = /^(\d+)\.(\d+)\.(\d+)([a-z]?)-r(\d+)$/.exec(v);
    if (!m) throw new Error(`unexpected version ${v}`);
    return [Number(m[1]), Number(m[2]), Number(m[3]), m[4]!, Number(m[5])];
  };
  const greater = (a: string, b: string): boolean => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! > y[i]!;
    return false;
  };
  const db = JSON.parse(readFileSync(SECDB, 'utf8')) as { packages: { pkg: { name: string; secfixes: Record<string, string[]> } }[] };
  const out: string[] = [];
  for (const p of INSTALLED) {
    const fixes = db.packages.find((e) => e.pkg.name === p.origin)?.pkg.secfixes ?? {};
    for (const [fixed, ids] of Object.entries(fixes)) if (greater(fixed, p.version)) for (const id of ids) out.push(`${p.name} ${id.split(' ')[0]} ${fixed}`);
  }
  return out.sort();
}

function pushAlpineImage(berth: TestBerth, repo: string): Promise<{ digest: string; size: number }> {
  return pushAlpine(berth, repo, INSTALLED, ALPINE_OS_RELEASE);
}

async function api(berth: TestBerth, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${berth.url}/api/v1${path}`, { method, signal: AbortSignal.timeout(30_000), headers: { authorization: basicAuth(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

for (const db of await testDatabases()) {
  describe(`Pluggable Scanner API both ways on ${db.name}`, { skip: db.skip }, () => {
    const tokens = { a: 'adapter-token-of-berth-a-0123456789', b: 'adapter-token-of-berth-b-0123456789' };
    let a: TestBerth;
    let b: TestBerth;
    before(async () => {
      a = await startTestBerth({ ...(await db.env()), BERTH_SCANNER_ADAPTER_TOKEN: tokens.a });
      b = await startTestBerth({ ...(await db.env()), BERTH_SCANNER_ADAPTER_TOKEN: tokens.b });
      // Each adapter matches with its own Berth's vulnerability data: the real Alpine v3.11 secdb.
      for (const berth of [a, b]) await new VulnDb(berth.db).importFile(SECDB, { format: 'alpine-secdb' });
    });
    after(async () => {
      await a?.stop();
      await b?.stop();
    });

    const adapter = (berth: TestBerth, token: string, path: string, init: RequestInit = {}) =>
      fetch(`${berth.url}/scanner-adapter/api/v1${path}`, { ...init, redirect: 'manual', headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });

    test('metadata: the spec media type, Berth as scanner, vulnerability and sbom capabilities', async () => {
      const res = await adapter(a, tokens.a, '/metadata');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), ScannerMime.metadata);
      const meta = (await res.json()) as { scanner: { name: string; vendor: string; version: string }; capabilities: { type: string; consumes_mime_types: string[]; produces_mime_types: string[] }[]; properties: Record<string, string> };
      assert.equal(meta.scanner.name, 'Berth');
      assert.ok(Date.parse(meta.properties['harbor.scanner-adapter/vulnerability-database-updated-at']!) > Date.now() - 3_600_000, 'when the data was imported');
      assert.equal(meta.properties['berth/vulnerability-data-sources'], 'alpine-secdb-v3.11-main');
      const vuln = meta.capabilities.find((c) => c.type === 'vulnerability')!;
      assert.ok(vuln.consumes_mime_types.includes('application/vnd.oci.image.manifest.v1+json'));
      assert.ok(vuln.consumes_mime_types.includes('application/vnd.docker.distribution.manifest.v2+json'));
      assert.ok(vuln.produces_mime_types.includes(ScannerMime.vulnReport));
      assert.deepEqual(meta.capabilities.find((c) => c.type === 'sbom')?.produces_mime_types, [ScannerMime.sbomReport]);
    });

    test('refusals: no or wrong token 401, bad JSON 400, bad digest 422, unknown artifact type 501, unknown id 404 — in the error media type', async () => {
      for (const auth of [undefined, 'Bearer wrong-token', basicAuth()]) {
        const res = await fetch(`${a.url}/scanner-adapter/api/v1/metadata`, { headers: auth ? { authorization: auth } : {} });
        assert.equal(res.status, 401);
        assert.equal(res.headers.get('content-type'), ScannerMime.error);
      }
      const post = (body: string) => adapter(a, tokens.a, '/scan', { method: 'POST', headers: { 'content-type': ScannerMime.scanRequest }, body });
      let res = await post('{not json');
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /not JSON/);
      res = await post(JSON.stringify({ registry: { url: b.url }, artifact: { repository: 'x/y', digest: 'md5:abc' } }));
      assert.equal(res.status, 422);
      res = await post(JSON.stringify({ registry: { url: b.url }, artifact: { repository: 'x/y', digest: 'sha256:' + '0'.repeat(64), mime_type: 'application/vnd.cncf.helm.config.v1+json' } }));
      assert.equal(res.status, 501);
      assert.equal(res.headers.get('content-type'), ScannerMime.error);
      res = await adapter(a, tokens.a, '/scan/nope/report', { headers: { accept: ScannerMime.vulnReport } });
      assert.equal(res.status, 404);
    });

    test('Harbor-style: Basic robot credentials of the asking registry, 302 + Refresh-After while running, then the report and a schema-valid CycloneDX SBOM', async () => {
      const image = await pushAlpineImage(b, 'harborish/app');
      const res = await adapter(a, tokens.a, '/scan', {
        method: 'POST',
        headers: { 'content-type': ScannerMime.scanRequest, accept: ScannerMime.scanResponse },
        body: JSON.stringify({
          registry: { url: b.url, authorization: basicAuth() },
          artifact: { repository: 'harborish/app', digest: image.digest, tag: 'v1', mime_type: 'application/vnd.oci.image.manifest.v1+json' },
          enabled_capabilities: [{ type: 'vulnerability', produces_mime_types: [ScannerMime.vulnReport] }, { type: 'sbom', parameters: { sbom_media_types: ['application/vnd.cyclonedx+json'] } }],
        }),
      });
      assert.equal(res.status, 202);
      assert.equal(res.headers.get('content-type'), ScannerMime.scanResponse);
      const { id } = (await res.json()) as { id: string };
      let report: Response;
      let polls = 0;
      for (;;) {
        report = await adapter(a, tokens.a, `/scan/${id}/report`, { headers: { accept: ScannerMime.vulnReport } });
        if (report.status !== 302) break;
        polls++;
        assert.match(report.headers.get('refresh-after') ?? '', /^\d+$/);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(report.status, 200, await report.clone().text());
      assert.equal(report.headers.get('content-type'), ScannerMime.vulnReport);
      const vuln = (await report.json()) as { artifact: { digest: string }; scanner: { name: string }; severity?: string; vulnerabilities: { id: string; package: string; version: string; fix_version?: string; severity: string; links: string[] }[] };
      assert.equal(vuln.artifact.digest, image.digest);
      assert.equal(vuln.scanner.name, 'Berth');
      assert.deepEqual(vuln.vulnerabilities.map((v) => `${v.package} ${v.id} ${v.fix_version}`).sort(), expectedFindings());
      assert.ok(vuln.vulnerabilities.every((v) => v.version === INSTALLED.find((p) => p.name === v.package)?.version));
      console.log(`# ${vuln.vulnerabilities.length} vulnerabilities in the report, severity ${vuln.severity ?? '-'}`);
      console.log(`# report after ${polls} polls of 302`);

      const legacy = await adapter(a, tokens.a, `/scan/${id}/report`, { headers: { accept: ScannerMime.vulnReportHarbor } });
      assert.equal(legacy.headers.get('content-type'), ScannerMime.vulnReportHarbor);
      const noType = await adapter(a, tokens.a, `/scan/${id}/report`, { headers: { accept: ScannerMime.sbomReport } });
      assert.equal(noType.status, 400, 'an SBOM report needs sbom_media_type');
      const sbomRes = await adapter(a, tokens.a, `/scan/${id}/report?sbom_media_type=${encodeURIComponent('application/vnd.cyclonedx+json')}`, { headers: { accept: ScannerMime.sbomReport } });
      assert.equal(sbomRes.status, 200);
      assert.equal(sbomRes.headers.get('content-type'), ScannerMime.sbomReport);
      const sbomReport = (await sbomRes.json()) as { media_type: string; sbom: { components: { type: string; name: string; version: string }[] } };
      assert.equal(sbomReport.media_type, 'application/vnd.cyclonedx+json');
      const ajv = new Ajv({ strict: false });
      addFormats(ajv);
      ajv.addFormat('iri-reference', (s: string) => URL.canParse(s, 'http://base.invalid/'));
      ajv.addSchema(schema('spdx.schema.json')).addSchema(schema('jsf-0.82.schema.json'));
      assert.ok(ajv.validate(schema('bom-1.6.schema.json'), sbomReport.sbom), JSON.stringify(ajv.errors?.slice(0, 3)));
      const libs = sbomReport.sbom.components.filter((c) => c.type === 'library').map((c) => `${c.name}@${c.version}`).sort();
      assert.deepEqual(libs, EXPECTED_PACKAGES, 'the adapter analysed the image it pulled from the other Berth');
      assert.deepEqual(sbomReport.sbom.components.filter((c) => c.type === 'operating-system').map((c) => [c.name, c.version]), [['alpine', '3.11.6']]);
    });

    test('each Berth registers the other as its scanner; a project set to it is scanned through the other Berth', async () => {
      for (const [self, other, token] of [[b, a, tokens.a], [a, b, tokens.b]] as const) {
        const name = self === b ? 'berth-a' : 'berth-b';
        let res = await api(self, 'POST', '/scanners', { name, url: `${other.url}/scanner-adapter`, auth: 'Bearer', access_credential: token, description: 'the other Berth' });
        assert.equal(res.status, 201, await res.clone().text());
        const reg = (await res.json()) as { name: string; scanner: { name: string }; has_credential: boolean; capabilities: { type: string }[] };
        assert.equal(reg.scanner.name, 'Berth');
        assert.equal(reg.has_credential, true);
        assert.ok(!JSON.stringify(reg).includes(token), 'the credential is never returned');
        const image = await pushAlpineImage(self, 'scanned/app');
        const before = await api(self, 'GET', '/projects/scanned/scanner');
        assert.deepEqual(await before.json(), { engine: 'berth', explicit: false, scanner: null });
        res = await api(self, 'PUT', '/projects/scanned/scanner', { scanner: name });
        assert.equal(res.status, 200, await res.clone().text());
        assert.equal(((await res.json()) as { engine: string }).engine, 'external');

        const engine = await self.scanners.engineFor('scanned');
        assert.ok(engine, 'the project has an external engine');
        const result = await engine.scan({ project: 'scanned', repository: 'scanned/app', digest: image.digest, mediaType: 'application/vnd.oci.image.manifest.v1+json' }, AbortSignal.timeout(60_000));
        assert.equal(result.scanner.name, 'Berth');
        const findings = result.findings ?? [];
        assert.deepEqual(findings.map((f) => `${f.package} ${f.id} ${f.fixedVersion}`).sort(), expectedFindings(), 'the findings of the other Berth, mapped back');
        assert.ok(findings.every((f) => f.packageType === 'apk' && f.purl.startsWith('pkg:apk/alpine/') && f.location === '/lib/apk/db/installed' && f.layer.startsWith('sha256:')), 'nothing lost between two Berths');
        // Another project still uses Berth's own scanner.
        assert.equal(await self.scanners.engineFor('harborish'), undefined);
      }
    });

    test("through the scanning API: a project set to the other Berth gets its findings stored, the report naming that scanner", async () => {
      // 'scanned' on b uses berth-a (set above); the scan job asks ScanEngines, whose resolver is engineFor.
      const image = await pushAlpineImage(b, 'scanned/api');
      let res = await api(b, 'POST', `/projects/scanned/repositories/api/artifacts/${image.digest}/scan`);
      assert.equal(res.status, 202, await res.clone().text());
      let report: { scan_status: string; scanner: { name: string }; error?: string; summary: { total: number } } | undefined;
      for (let i = 0; i < 300; i++) {
        res = await api(b, 'GET', `/projects/scanned/repositories/api/artifacts/${image.digest}/scan`);
        if (res.status === 200) {
          report = (await res.json()) as typeof report;
          if (report!.scan_status === 'Success' || report!.scan_status === 'Error') break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(report?.scan_status, 'Success', JSON.stringify(report));
      assert.equal(report.scanner.name, 'Berth');
      res = await api(b, 'GET', `/projects/scanned/repositories/api/artifacts/${image.digest}/vulnerabilities?page_size=100`);
      assert.equal(res.status, 200);
      const vulns = (await res.json()) as { id: string; package: string; fix_version?: string; sources: string[] }[];
      assert.deepEqual(vulns.map((v) => `${v.package} ${v.id} ${v.fix_version}`).sort(), expectedFindings());
      // An external scanner reports vulnerabilities only: no inventory, so no SBOM from it.
      res = await api(b, 'GET', `/projects/scanned/repositories/api/artifacts/${image.digest}/sbom`);
      assert.equal(res.status, 404);
    });

    test('registration refusals: an adapter that does not answer, a URL with credentials, a duplicate, a bad credential (401 from the adapter); non-admins refused', async () => {
      let res = await api(b, 'POST', '/scanners', { name: 'nowhere', url: 'http://127.0.0.1:9/scanner-adapter' });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /did not answer/);
      res = await api(b, 'POST', '/scanners', { name: 'creds', url: 'http://user:pw@127.0.0.1:9' });
      assert.equal(res.status, 400);
      res = await api(b, 'POST', '/scanners', { name: 'berth-a', url: `${a.url}/scanner-adapter`, auth: 'Bearer', access_credential: tokens.a });
      assert.equal(res.status, 409);
      res = await api(b, 'POST', '/scanners', { name: 'wrong-token', url: `${a.url}/scanner-adapter`, auth: 'Bearer', access_credential: 'not-the-token' });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /401/);
      res = await fetch(`${b.url}/api/v1/scanners`);
      assert.equal(res.status, 401);
      res = await api(b, 'PUT', '/projects/scanned/scanner', { scanner: 'no-such' });
      assert.equal(res.status, 404);
      res = await api(b, 'GET', '/scanners');
      assert.deepEqual(((await res.json()) as { name: string }[]).map((s) => s.name), ['berth-a']);
    });

    test('the berth scanner CLI: add (credential on stdin), list, use, remove', async () => {
      const created = (await (await api(b, 'POST', '/users/me/tokens', { name: 'cli' })).json()) as { secret: string };
      const env = { BERTH_SERVER: b.url, BERTH_TOKEN: created.secret, BERTH_CLI_CONFIG: '/nonexistent/berth-cli.json' };
      let r = await runCli(['scanner', 'add', 'cli-a', '--url', `${a.url}/scanner-adapter`, '--auth', 'Bearer', '--credential-stdin', '--description', 'via CLI'], env, `${tokens.a}\n`);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Berth/);
      assert.ok(!r.stdout.includes(tokens.a));
      r = await runCli(['scanner', 'list', '-o', 'json'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual((JSON.parse(r.stdout) as { name: string }[]).map((s) => s.name), ['berth-a', 'cli-a']);
      r = await runCli(['scanner', 'use', 'cli-a', '--project', 'scanned'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Project scanned scans with cli-a\./);
      r = await runCli(['scanner', 'use', 'berth', '--default'], env);
      assert.equal(r.code, 0, r.stderr);
      r = await runCli(['scanner', 'add', 'no-cred', '--url', `${a.url}/scanner-adapter`, '--auth', 'Bearer'], env);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /--credential-stdin/);
      r = await runCli(['scanner', 'remove', 'cli-a'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Removed scanner cli-a\./);
      // The project's choice went with the registration.
      assert.equal(((await (await api(b, 'GET', '/projects/scanned/scanner')).json()) as { engine: string }).engine, 'berth');
      await api(b, 'PUT', '/projects/scanned/scanner', { scanner: 'berth-a' });
    });

    test('registrations and choices are audited; the OpenAPI document describes the routes', async () => {
      const res = await api(b, 'GET', '/audit-logs?resource_type=scanner&page_size=50');
      assert.equal(res.status, 200);
      const entries = (await res.json()) as { resource: string; action: string; outcome: string }[];
      const seen = new Set(entries.map((e) => `${e.action} ${e.resource}`));
      for (const e of ['create berth-a', 'create cli-a', 'delete cli-a', 'update berth-a', 'update cli-a']) assert.ok(seen.has(e), `audited: ${e} (have ${[...seen].join(', ')})`);
      const doc = (await (await fetch(`${b.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      for (const p of ['/api/v1/scanners', '/api/v1/scanners/{name}', '/api/v1/scanners/default', '/api/v1/projects/{project}/scanner']) assert.ok(doc.paths[p], `OpenAPI has ${p}: ${Object.keys(doc.paths).filter((k) => k.includes('scanner')).join(', ')}`);
    });

    test('the pull token given to an adapter reads that repository only', async () => {
      await pushAlpineImage(b, 'other/secret');
      const authorization = await b.scanners.pullAuthorization('scanned/app');
      const own = await fetch(`${b.url}/v2/scanned/app/manifests/v1`, { headers: { authorization, accept: 'application/vnd.oci.image.manifest.v1+json' } });
      assert.equal(own.status, 200);
      const other = await fetch(`${b.url}/v2/other/secret/manifests/v1`, { headers: { authorization, accept: 'application/vnd.oci.image.manifest.v1+json' } });
      assert.ok(other.status === 401 || other.status === 403, `got ${other.status}`);
      const push = await fetch(`${b.url}/v2/scanned/app/blobs/uploads/`, { method: 'POST', headers: { authorization } });
      assert.ok(push.status === 401 || push.status === 403, `got ${push.status}`);
    });

    test('who may see and choose a project scanner: project admins choose, members see, others get 404, anonymous 401/404, registrations are for administrators', async () => {
      assert.equal((await api(b, 'POST', '/projects', { name: 'rbac' })).status, 201);
      const password = 'A-long-password-123';
      for (const [user, role] of [['pa', 'projectAdmin'], ['dev', 'developer'], ['gst', 'guest'], ['outsider', undefined]] as const) {
        assert.equal((await api(b, 'POST', '/users', { username: user, password })).status, 201);
        if (role) assert.equal((await api(b, 'POST', '/projects/rbac/members', { kind: 'user', name: user, role })).status, 201);
      }
      const as = (user: string | undefined, method: string, path: string, body?: unknown) =>
        fetch(`${b.url}/api/v1${path}`, {
          method,
          signal: AbortSignal.timeout(30_000),
          headers: { ...(user ? { authorization: basicAuth(user, password) } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      const expected: [string | undefined, number, number, number][] = [
        // user, GET project scanner, PUT project scanner, GET /scanners
        ['pa', 200, 200, 403],
        ['dev', 200, 403, 403],
        ['gst', 200, 403, 403],
        ['outsider', 404, 404, 403],
        [undefined, 404, 401, 401],
      ];
      for (const [user, get, put, list] of expected) {
        assert.equal((await as(user, 'GET', '/projects/rbac/scanner')).status, get, `${user ?? 'anonymous'} GET`);
        assert.equal((await as(user, 'PUT', '/projects/rbac/scanner', { scanner: 'berth-a' })).status, put, `${user ?? 'anonymous'} PUT`);
        assert.equal((await as(user, 'GET', '/scanners')).status, list, `${user ?? 'anonymous'} GET /scanners`);
        assert.equal((await as(user, 'POST', '/scanners', { name: 'x', url: 'http://127.0.0.1:9' })).status, list, `${user ?? 'anonymous'} POST /scanners`);
      }
      assert.equal(((await (await api(b, 'GET', '/projects/rbac/scanner')).json()) as { scanner: { name: string } }).scanner.name, 'berth-a', "the project admin's choice stands");
    });

    test('PATCH: a wrong credential is refused and changes nothing; disabled fails scans of its projects clearly; enabled again works', async () => {
      let res = await api(b, 'PATCH', '/scanners/berth-a', { access_credential: 'not-the-token' });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /401/);
      res = await api(b, 'PATCH', '/scanners/berth-a', { disabled: true, description: 'paused' });
      assert.equal(res.status, 200, await res.clone().text());
      assert.deepEqual((({ disabled, description, has_credential }) => ({ disabled, description, has_credential }))((await res.json()) as { disabled: boolean; description: string; has_credential: boolean }), { disabled: true, description: 'paused', has_credential: true });
      await assert.rejects(b.scanners.engineFor('scanned'), /disabled/);
      res = await api(b, 'PATCH', '/scanners/berth-a', { disabled: false });
      assert.equal(res.status, 200);
      assert.ok(await b.scanners.engineFor('scanned'));
      assert.equal((await api(b, 'PATCH', '/scanners/no-such', { disabled: true })).status, 404);
    });

    test('removing a registration puts its projects back on Berth\'s own scanner', async () => {
      const res = await api(b, 'DELETE', '/scanners/berth-a');
      assert.equal(res.status, 204);
      assert.deepEqual(await (await api(b, 'GET', '/projects/scanned/scanner')).json(), { engine: 'berth', explicit: false, scanner: null });
      assert.equal(await b.scanners.engineFor('scanned'), undefined);
    });
  });
}
