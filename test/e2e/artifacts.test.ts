/**
 * The registry browsing API (docs/artifacts.md) on SQLite and PostgreSQL,
 * with real clients: crane pushes a multi-layer image and a multi-platform
 * index from OCI layouts, oras attaches an SBOM and a signature of the SBOM
 * (a referrers tree); then list/detail/layers/config/platforms/referrers,
 * tag add/remove, copy between repositories (pulled back with crane),
 * delete, repository delete, paging, pull counts after crane pulls, a guest
 * refused, the CLI, and a 10,000-artifact repository. Tests run in order
 * and build on each other.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ArtifactDetail, ArtifactInfo, RepositoryInfo } from '../../src/registry/artifact-types.ts';
import { ADMIN_PASSWORD, basicAuth, startTestBerth, type TestBerth } from '../support/berth.ts';
import { runCli } from '../support/cli.ts';
import { testDatabases } from '../support/databases.ts';
import { OciLayoutWriter, mustRun, runTool, sha256, type BuiltImage, type Descriptor } from '../support/oci-layout.ts';
import { peerPath, skipUnlessPeer } from '../support/peers.ts';

const skip = skipUnlessPeer('crane') || skipUnlessPeer('oras');
const SBOM_TYPE = 'application/spdx+json';
const SIG_TYPE = 'application/vnd.example.signature';
const ADMIN = basicAuth();
const GUEST = basicAuth('art-guest', 'Guest-password-1');
const OUTSIDER = basicAuth('art-outsider', 'Outsider-password-1');

interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

for (const database of await testDatabases()) {
  describe(`artifact API on ${database.name}`, { skip: skip || database.skip }, () => {
    let berth: TestBerth;
    let tmp: string;
    let env: NodeJS.ProcessEnv;
    let host: string;
    let crane: string;
    let oras: string;
    let image: BuiltImage;
    let amd64: BuiltImage;
    let arm64: BuiltImage;
    let multi: Descriptor;
    let sbomDigest: string;
    let sigDigest: string;
    let token: string;

    async function api<T = unknown>(method: string, p: string, auth: string | null = ADMIN, body?: unknown): Promise<Answer<T>> {
      const headers: Record<string, string> = {};
      if (auth) headers.authorization = auth;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${berth.url}/api/v1${p}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
    }
    async function must<T>(method: string, p: string, status: number, auth: string | null = ADMIN, body?: unknown): Promise<T> {
      const r = await api<T>(method, p, auth, body);
      assert.equal(r.status, status, `${method} ${p}: ${JSON.stringify(r.body)}`);
      return r.body;
    }
    const craneRun = (args: string[]) => mustRun(crane, [...args, '--insecure'], { env, timeoutMs: 180_000 });
    const craneOut = async (args: string[]) => (await craneRun(args)).stdout.toString('utf8').trim();
    const orasJson = async <T>(args: string[]) => JSON.parse((await mustRun(oras, args, { env, cwd: tmp, timeoutMs: 180_000 })).stdout.toString('utf8')) as T;
    const cli = (args: string[]) => runCli(args, { BERTH_SERVER: berth.url, BERTH_TOKEN: token, BERTH_CLI_CONFIG: path.join(tmp, 'cli.json') });

    before(async () => {
      crane = peerPath('crane');
      oras = peerPath('oras');
      berth = await startTestBerth(await database.env());
      host = berth.hostPort;
      tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-artifacts-'));
      env = { ...process.env, HOME: tmp, DOCKER_CONFIG: path.join(tmp, 'docker'), XDG_RUNTIME_DIR: tmp };
      const single = await new OciLayoutWriter(path.join(tmp, 'single')).init();
      image = await single.addImage({ platform: { os: 'linux', architecture: 'amd64' }, layerCount: 3, layerBytes: 120 * 1024, label: 'artifacts app' });
      await single.tag(image.manifest, 'v1');
      const index = await new OciLayoutWriter(path.join(tmp, 'multi')).init();
      amd64 = await index.addImage({ platform: { os: 'linux', architecture: 'amd64' }, layerCount: 1, layerBytes: 30 * 1024, label: 'multi amd64' });
      arm64 = await index.addImage({ platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, layerCount: 1, layerBytes: 30 * 1024, label: 'multi arm64' });
      multi = await index.addIndex([amd64.manifest, arm64.manifest]);
      await index.tag(multi, 'v1');
      await writeFile(path.join(tmp, 'sbom.json'), JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'artifacts-e2e' }));
      await writeFile(path.join(tmp, 'sig.bin'), 'not really a signature');

      await must('POST', '/projects', 201, ADMIN, { name: 'art' });
      await must('POST', '/projects', 201, ADMIN, { name: 'art2' });
      await must('POST', '/users', 201, ADMIN, { username: 'art-guest', password: 'Guest-password-1' });
      await must('POST', '/users', 201, ADMIN, { username: 'art-outsider', password: 'Outsider-password-1' });
      await must('POST', '/projects/art/members', 201, ADMIN, { kind: 'user', name: 'art-guest', role: 'guest' });
      token = (await must<{ secret: string }>('POST', '/users/me/tokens', 201, ADMIN, { name: 'artifacts-cli' })).secret;
      await craneRun(['auth', 'login', host, '-u', 'admin', '-p', ADMIN_PASSWORD]);
    });
    after(async () => {
      await berth?.stop();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    test('crane pushes an image and an index; oras attaches an SBOM and a signature of the SBOM', async () => {
      assert.equal(await craneOut(['push', path.join(tmp, 'single'), `${host}/art/app:v1`]), `${host}/art/app@${image.manifest.digest}`);
      assert.equal(await craneOut(['push', path.join(tmp, 'multi'), `${host}/art/multi:v1`]), `${host}/art/multi@${multi.digest}`);
      const common = ['--plain-http', '--format', 'json', '-u', 'admin', '-p', ADMIN_PASSWORD];
      sbomDigest = (await orasJson<{ digest: string }>(['attach', ...common, '--artifact-type', SBOM_TYPE, `${host}/art/app:v1`, 'sbom.json:application/json'])).digest;
      sigDigest = (await orasJson<{ digest: string }>(['attach', ...common, '--artifact-type', SIG_TYPE, `${host}/art/app@${sbomDigest}`, 'sig.bin:application/octet-stream'])).digest;
    });

    test('repositories of a project: counts without index children and referrers; paging headers; q and sort', async () => {
      const list = await api<RepositoryInfo[]>('GET', '/projects/art/repositories');
      assert.equal(list.status, 200);
      assert.equal(list.headers.get('x-total-count'), '2');
      assert.deepEqual(
        list.body.map((r) => [r.name, r.project_name, r.artifact_count, r.pull_count, r.description]),
        [
          ['art/app', 'art', 1, 0, ''],
          ['art/multi', 'art', 1, 0, ''],
        ],
      );
      const page = await api<RepositoryInfo[]>('GET', '/projects/art/repositories?page=2&page_size=1&sort=-name');
      assert.deepEqual(page.body.map((r) => r.name), ['art/app']);
      assert.equal(page.headers.get('x-total-count'), '2');
      assert.match(page.headers.get('link') ?? '', /rel="prev"/);
      assert.deepEqual((await must<RepositoryInfo[]>('GET', '/projects/art/repositories?q=name%3D~ULT', 200)).map((r) => r.name), ['art/multi']);
      assert.deepEqual(await must<RepositoryInfo[]>('GET', '/projects/art/repositories?q=name%3D~art', 200), [], 'matched within the project');
      assert.deepEqual((await must<RepositoryInfo[]>('GET', '/projects/art/repositories?q=name%3Dapp', 200)).map((r) => r.name), ['art/app']);
      assert.equal((await api('GET', '/projects/art/repositories?sort=size')).status, 400);
      const projects = await must<{ name: string; repository_count: number; member_count: number }[]>('GET', '/projects?q=name%3Dart', 200);
      assert.deepEqual(projects.map((p) => [p.name, p.repository_count, p.member_count]), [['art', 2, 1]]);
    });

    test('artifact list and detail of an image: size, tags, config summary, layers, referrers tree', async () => {
      const list = await api<ArtifactInfo[]>('GET', '/projects/art/repositories/app/artifacts?with_label=true');
      assert.equal(list.headers.get('x-total-count'), '1', 'the SBOM and the signature are referrers, not listed');
      const a = list.body[0]!;
      const expected = image.manifest.size + image.config.size + image.layers.reduce((n, l) => n + l.size, 0);
      assert.deepEqual([a.digest, a.type, a.size, a.tags?.map((t) => t.name), a.pull_count, a.pull_time], [image.manifest.digest, 'IMAGE', expected, ['v1'], 0, null]);
      assert.deepEqual(a.labels, { 'org.example.label': 'artifacts app' });

      const d = await must<ArtifactDetail>('GET', '/projects/art/repositories/app/artifacts/v1', 200);
      assert.equal(d.digest, image.manifest.digest);
      assert.equal(d.config_digest, image.config.digest);
      assert.deepEqual(
        { os: d.config?.os, architecture: d.config?.architecture, created: d.config?.created, cmd: d.config?.cmd, env: d.config?.env_count, labels: d.config?.labels },
        { os: 'linux', architecture: 'amd64', created: '2024-01-01T00:00:00Z', cmd: ['/bin/sh'], env: 1, labels: { 'org.example.label': 'artifacts app' } },
      );
      assert.deepEqual(d.layers, image.layers.map((l) => ({ digest: l.digest, media_type: l.mediaType, size: l.size })));
      assert.deepEqual(
        d.referrers.map((r) => [r.digest, r.subject, r.depth, r.artifact_type]),
        [
          [sbomDigest, image.manifest.digest, 1, SBOM_TYPE],
          [sigDigest, sbomDigest, 2, SIG_TYPE],
        ],
      );
      const byDigest = await must<ArtifactDetail>('GET', `/projects/art/repositories/app/artifacts/${image.manifest.digest}`, 200);
      assert.deepEqual(byDigest, d);
      const sbom = await must<ArtifactDetail>('GET', `/projects/art/repositories/app/artifacts/${sbomDigest}`, 200);
      assert.deepEqual([sbom.type, sbom.artifact_type, sbom.subject, sbom.config], ['OTHER', SBOM_TYPE, image.manifest.digest, null]);
    });

    test('an index: platforms in the list, children with platforms in the detail', async () => {
      const [a] = await must<ArtifactInfo[]>('GET', '/projects/art/repositories/multi/artifacts', 200);
      assert.equal(a!.type, 'INDEX');
      assert.deepEqual(a!.platforms, [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ]);
      const childSize = (b: BuiltImage) => b.manifest.size + b.config.size + b.layers.reduce((n, l) => n + l.size, 0);
      assert.equal(a!.size, multi.size + childSize(amd64) + childSize(arm64));
      const d = await must<ArtifactDetail>('GET', '/projects/art/repositories/multi/artifacts/v1', 200);
      assert.deepEqual(
        d.references.map((c) => [c.digest, c.platform?.architecture, c.size]),
        [
          [amd64.manifest.digest, 'amd64', childSize(amd64)],
          [arm64.manifest.digest, 'arm64', childSize(arm64)],
        ],
      );
      assert.equal(d.config, null);
      assert.deepEqual(d.layers, []);
      // A child is reachable by digest, though not listed.
      const child = await must<ArtifactDetail>('GET', `/projects/art/repositories/multi/artifacts/${arm64.manifest.digest}`, 200);
      assert.deepEqual([child.config?.architecture, child.config?.variant], ['arm64', 'v8']);
    });

    test('tag add (409 when it exists) and remove, seen by crane', async () => {
      const tag = await must<{ name: string }>('POST', '/projects/art/repositories/app/artifacts/v1/tags/stable', 201);
      assert.equal(tag.name, 'stable');
      assert.equal(await craneOut(['digest', `${host}/art/app:stable`]), image.manifest.digest);
      assert.equal((await api('POST', `/projects/art/repositories/app/artifacts/v1/tags/stable`)).status, 409);
      assert.equal((await api('POST', `/projects/art/repositories/multi/artifacts/v1/tags/v1`)).status, 409, 'an existing tag on the same artifact');
      assert.equal((await api('POST', `/projects/art/repositories/app/artifacts/v1/tags/-bad`)).status, 400);
      assert.equal((await api('DELETE', `/projects/art/repositories/multi/artifacts/v1/tags/stable`)).status, 404, 'the tag is not on that artifact');
      await must('DELETE', '/projects/art/repositories/app/artifacts/v1/tags/stable', 204);
      assert.equal(await craneOut(['ls', `${host}/art/app`]), 'v1');
      const tagged = await must<ArtifactInfo[]>('GET', '/projects/art/repositories/app/artifacts?q=tags%3D*', 200);
      assert.equal(tagged.length, 1);
      assert.deepEqual(await must<ArtifactInfo[]>('GET', '/projects/art/repositories/app/artifacts?q=tags%3Dnil', 200), []);
      const q = async (query: string) => (await must<ArtifactInfo[]>('GET', `/projects/art/repositories/app/artifacts?${query}`, 200)).map((a) => a.digest);
      const image1 = [image.manifest.digest];
      assert.deepEqual(await q('q=tags%3Dv1'), image1);
      assert.deepEqual(await q('q=tags%3Dv2'), []);
      assert.deepEqual(await q('q=tags%3D~V'), image1, 'tags=~ ignores case');
      assert.deepEqual(await q(`q=digest%3D~${image.manifest.digest.slice(0, 15)}`), image1);
      assert.deepEqual(await q(`q=digest%3D${image.manifest.digest}`), image1);
      assert.deepEqual(await q('q=type%3DIMAGE,tags%3D*&sort=-pull_time,size'), image1);
      assert.deepEqual(await q('q=type%3DINDEX'), []);
      assert.deepEqual(await q('with_tag=false'), image1);
      assert.equal((await must<ArtifactInfo[]>('GET', '/projects/art/repositories/app/artifacts?with_tag=false', 200))[0]!.tags, null);
      for (const bad of ['q=digest%3Dsha256:12', 'sort=name', 'q=type%3DCHART', 'page_size=101', 'with_tag=yes']) {
        assert.equal((await api('GET', `/projects/art/repositories/app/artifacts?${bad}`)).status, 400, bad);
      }
    });

    test('pull counts rise after crane pulls (written in batches)', async () => {
      await craneRun(['manifest', `${host}/art/app:v1`]);
      await craneRun(['pull', `${host}/art/app:v1`, path.join(tmp, 'app.tar')]);
      let a: ArtifactInfo | undefined;
      for (let i = 0; i < 50; i++) {
        [a] = await must<ArtifactInfo[]>('GET', '/projects/art/repositories/app/artifacts', 200);
        if ((a?.pull_count ?? 0) >= 2) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(a!.pull_count >= 2, `pull_count ${a!.pull_count}`);
      assert.ok(a!.pull_time !== null && Date.parse(a!.pull_time) > Date.parse(a!.push_time));
      const repo = await must<RepositoryInfo>('GET', '/projects/art/repositories/app', 200);
      assert.ok(repo.pull_count >= 2);
      const metrics = await (await fetch(`${berth.url}/metrics`)).text();
      assert.match(metrics, /berth_artifact_pulls_recorded_total [1-9]/);
    });

    test('copy between repositories links blobs; crane pulls the copy with the same digests', async () => {
      const copied = await must<ArtifactInfo>('POST', `/projects/art2/repositories/mirror%2Fmulti/artifacts?from=${encodeURIComponent('art/multi:v1')}`, 201);
      assert.deepEqual([copied.digest, copied.repository_name, copied.tags?.map((t) => t.name)], [multi.digest, 'art2/mirror/multi', ['v1']]);
      assert.equal(await craneOut(['digest', `${host}/art2/mirror/multi:v1`]), multi.digest);
      assert.equal(await craneOut(['digest', '--platform', 'linux/arm64', `${host}/art2/mirror/multi:v1`]), arm64.manifest.digest);
      const layer = arm64.layers[0]!;
      assert.equal(sha256((await craneRun(['blob', `${host}/art2/mirror/multi@${layer.digest}`])).stdout), layer.digest);
      const byDigest = await must<ArtifactInfo>('POST', `/projects/art2/repositories/app/artifacts?from=${encodeURIComponent(`art/app@${image.manifest.digest}`)}`, 201);
      assert.deepEqual(byDigest.tags, [], 'a copy by digest is untagged');
      assert.equal(await craneOut(['digest', `${host}/art2/app@${image.manifest.digest}`]), image.manifest.digest);
      // Harbor's double encoding of the repository name.
      const r = await must<RepositoryInfo>('GET', '/projects/art2/repositories/mirror%252Fmulti', 200);
      assert.equal(r.name, 'art2/mirror/multi');
      assert.equal((await api('POST', '/projects/art2/repositories/x/artifacts?from=art%2Fmissing%3Av1')).status, 404);
      assert.equal((await api('POST', '/projects/art2/repositories/x/artifacts?from=nonsense')).status, 400);
    });

    test('a guest reads but cannot change; an outsider sees nothing of a private project', async () => {
      await must('GET', '/projects/art/repositories/app/artifacts', 200, GUEST);
      assert.equal((await api('DELETE', '/projects/art/repositories/app/artifacts/v1', GUEST)).status, 403);
      assert.equal((await api('DELETE', '/projects/art/repositories/app', GUEST)).status, 403);
      assert.equal((await api('POST', '/projects/art/repositories/app/artifacts/v1/tags/mine', GUEST)).status, 403);
      assert.equal((await api('PUT', '/projects/art/repositories/app', GUEST, { description: 'x' })).status, 403);
      assert.equal((await api('POST', `/projects/art/repositories/x/artifacts?from=${encodeURIComponent('art/app:v1')}`, GUEST)).status, 403);
      for (const p of ['/projects/art/repositories', '/projects/art/repositories/app', '/projects/art/repositories/app/artifacts/v1']) {
        const r = await api('GET', p, OUTSIDER);
        assert.equal(r.status, 404, p);
        assert.equal((await api('GET', p, null)).status, 404, `${p} anonymously`);
      }
      assert.equal((await api('GET', '/projects/art/repositories/nope', ADMIN)).status, 404);
      assert.equal((await api('GET', '/projects/nope/repositories', ADMIN)).status, 404);
      assert.equal((await api('GET', '/projects/art/repositories/app/artifacts/sha256:zz', ADMIN)).status, 400);
    });

    test('description update; artifact delete removes children; repository delete removes everything', async () => {
      const r = await must<RepositoryInfo>('PUT', '/projects/art/repositories/app', 200, ADMIN, { description: 'the app' });
      assert.equal(r.description, 'the app');
      assert.equal((await api('DELETE', `/projects/art/repositories/multi/artifacts/${arm64.manifest.digest}`)).status, 412, 'a child of an index');
      await must('DELETE', '/projects/art/repositories/multi/artifacts/v1', 204);
      assert.deepEqual(await must<ArtifactInfo[]>('GET', '/projects/art/repositories/multi/artifacts', 200), []);
      assert.equal((await api('GET', `/projects/art/repositories/multi/artifacts/${arm64.manifest.digest}`)).status, 404, 'the unused children went with the index');
      assert.notEqual((await runTool(crane, ['digest', `${host}/art/multi:v1`, '--insecure'], { env })).code, 0);

      await must('DELETE', '/projects/art/repositories/app', 204);
      assert.equal((await api('GET', '/projects/art/repositories/app')).status, 404);
      assert.equal((await api('GET', `/projects/art/repositories/app/artifacts/${sbomDigest}`)).status, 404);
      const audit = await must<{ resourceType: string; resource: string; action: string }[]>('GET', '/audit-logs?q=resource_type%3Drepository&page_size=20', 200);
      assert.ok(audit.some((e) => e.resource === 'art/app' && e.action === 'delete'), JSON.stringify(audit));
      // The copies elsewhere are untouched.
      assert.equal(await craneOut(['digest', `${host}/art2/mirror/multi:v1`]), multi.digest);
    });

    test('CLI: repository list/get, artifact list/get/tag/untag/copy/delete, repository delete', async () => {
      const ok = async (args: string[]) => {
        const r = await cli(args);
        assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`);
        return r.stdout;
      };
      assert.match(await ok(['repository', 'list', 'art2']), /art2\/mirror\/multi/);
      assert.match(await ok(['repository', 'get', 'art2/mirror/multi']), /artifacts\s+1/);
      assert.match(await ok(['artifact', 'list', 'art2/mirror/multi']), /INDEX.*v1.*linux\/amd64,linux\/arm64\/v8/);
      const detail = JSON.parse(await ok(['artifact', 'get', 'art2/mirror/multi:v1', '-o', 'json'])) as ArtifactDetail;
      assert.equal(detail.digest, multi.digest);
      assert.match(await ok(['artifact', 'get', `art2/app@${image.manifest.digest}`]), /layers/);
      await ok(['artifact', 'tag', 'art2/mirror/multi:v1', 'prod']);
      assert.equal(await craneOut(['digest', `${host}/art2/mirror/multi:prod`]), multi.digest);
      await ok(['artifact', 'untag', 'art2/mirror/multi:prod']);
      await ok(['artifact', 'copy', 'art2/mirror/multi:v1', 'art2/third']);
      assert.equal(await craneOut(['digest', `${host}/art2/third:v1`]), multi.digest);
      await ok(['artifact', 'delete', 'art2/third:v1']);
      await ok(['repository', 'delete', 'art2/third']);
      const gone = await cli(['repository', 'get', 'art2/third']);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /not found/);
      const usage = await cli(['artifact', 'get', 'no-repository']);
      assert.equal(usage.code, 2);
    });

    test('10,000 artifacts in one repository: the first page is paged in SQL', async () => {
      const repository = 'art2/big';
      const now = Date.now();
      await berth.db.insertInto('repositories').values({ name: repository, created_at: now, updated_at: now }).execute();
      for (let start = 0; start < 10_000; start += 500) {
        const rows = [];
        for (let i = start; i < start + 500; i++) {
          const content = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', n: i }));
          rows.push({ repository, digest: sha256(content), media_type: 'application/vnd.oci.image.manifest.v1+json', size: content.length, content, artifact_type: null, subject_digest: null, annotations: null, created_at: now - i, total_size: content.length * 10 });
        }
        await berth.db.insertInto('manifests').values(rows).execute();
        const tags = rows.filter((_, i) => i % 5 === 0).map((r, i) => ({ repository, name: `t${start + i * 5}`, digest: r.digest, updated_at: now }));
        await berth.db.insertInto('tags').values(tags).execute();
      }
      const timings: Record<string, number> = {};
      for (const [label, q] of [
        ['page 1', ''],
        ['page 1 again', ''],
        ['page 500', '&page=500'],
        ['sort -size', '&sort=-size'],
        ['tagged', '&q=tags%3D*'],
      ] as const) {
        const started = performance.now();
        const r = await api<ArtifactInfo[]>('GET', `/projects/art2/repositories/big/artifacts?page_size=20${q}`);
        timings[label] = Math.round(performance.now() - started);
        assert.equal(r.status, 200);
        assert.equal(r.body.length, 20);
        assert.equal(r.headers.get('x-total-count'), label === 'tagged' ? '2000' : '10000');
      }
      const started = performance.now();
      const repos = await must<RepositoryInfo[]>('GET', '/projects/art2/repositories?q=name%3Dbig', 200);
      timings['repository list'] = Math.round(performance.now() - started);
      assert.equal(repos[0]!.artifact_count, 10_000);
      process.stdout.write(`# ${database.name}: 10,000 artifacts, ms per request: ${JSON.stringify(timings)}\n`);
    });
  });
}
