/**
 * The registry browsing API's side of the security matrix
 * (/api/v1/projects/{project}/repositories…): for each action, the request a
 * subject sends, what an allowed answer must show, and how to confirm that a
 * refused one changed nothing. Which answer is expected is decided by the
 * matrix's own table (test/e2e/security-matrix.test.ts), not here.
 *
 * Copies need two projects: `copyIn` copies into the cell's project from
 * COPY_SOURCE (public, so every signed-in caller may pull it: only push on
 * the target decides); `copyOut` copies from the cell's project into
 * COPY_TARGET (where every subject may push: only pull on the source decides).
 */
import assert from 'node:assert/strict';
import { ADMIN, MEDIA_MANIFEST, REPO, baseLayer, manifestOf, manifestStatus, must, pushBlobAs, pushManifestAs, seedManifest, type MatrixProject } from './matrix-fixture.ts';
import { call, type Res } from './matrix-http.ts';
import { sha256 } from './oci-client.ts';

export const BROWSE_ACTIONS = [
  'listRepositories',
  'getRepository',
  'updateRepository',
  'deleteRepository',
  'listArtifacts',
  'getArtifact',
  'apiDeleteArtifact',
  'addTag',
  'apiDeleteTag',
  'copyIn',
  'copyOut',
  'scanArtifact',
  'getScanReport',
] as const;
export type BrowseAction = (typeof BROWSE_ACTIONS)[number];

/** Routes that answer anonymous callers (auth optional): without read, 404 rather than 401. */
export const ANONYMOUS_READABLE: readonly BrowseAction[] = ['listRepositories', 'getRepository', 'listArtifacts', 'getArtifact', 'getScanReport'];

/** Public: every signed-in caller may pull from it. */
export const COPY_SOURCE = 'mx-src';
/** Private: every user subject is a developer there, the copy robots hold push there. */
export const COPY_TARGET = 'mx-dst';

export interface BrowseCell {
  res: Res;
  /** The status of an allowed call. */
  status: number;
  /** Checks that an allowed call did what it says. */
  verify: () => Promise<void>;
  /** Checks that a refused call changed nothing. */
  unchanged: () => Promise<void>;
}

const nothing = async () => {};

/** Pushes, as admin, `<project>/<name>:v1` (its blobs first): a repository to delete. */
async function seedRepository(base: string, p: MatrixProject, name: string): Promise<string> {
  const repo = `${p.name}/${name}`;
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
  must(await pushBlobAs(base, ADMIN, repo, config), 201, `config of ${repo}`);
  const layer = baseLayer(p.name);
  must(await pushBlobAs(base, ADMIN, repo, layer), 201, `layer of ${repo}`);
  must(await pushManifestAs(base, ADMIN, repo, 'v1', manifestOf(sha256(config), { digest: sha256(layer), size: Buffer.byteLength(layer) }, repo)), 201, `manifest of ${repo}`);
  return repo;
}

export async function browseCell(
  base: string,
  action: BrowseAction,
  p: MatrixProject,
  sourceDigest: string,
  auth: string | undefined,
  headers: Record<string, string>,
  n: number,
  what: string,
): Promise<BrowseCell> {
  const repos = `/api/v1/projects/${p.name}/repositories`;
  const artifacts = `${repos}/${REPO}/artifacts`;
  const send = (method: string, path: string, body?: unknown) => call(base, method, path, { auth, headers, ...(body !== undefined ? { body } : {}) });
  const admin = (path: string) => call(base, 'GET', path, { auth: ADMIN });

  switch (action) {
    case 'listRepositories': {
      const res = await send('GET', `${repos}?page_size=100`);
      return {
        res,
        status: 200,
        verify: async () => assert.ok((res.body as { name: string }[]).some((r) => r.name === p.repo), `${what}: lists ${p.repo}: ${res.text.slice(0, 300)}`),
        unchanged: nothing,
      };
    }
    case 'getRepository': {
      const res = await send('GET', `${repos}/${REPO}`);
      return { res, status: 200, verify: async () => assert.equal((res.body as { name: string }).name, p.repo, what), unchanged: nothing };
    }
    case 'updateRepository': {
      const description = `set by cell ${n}`;
      const res = await send('PUT', `${repos}/${REPO}`, { description });
      const stored = async () => ((await admin(`${repos}/${REPO}`)).body as { description: string }).description;
      return {
        res,
        status: 200,
        verify: async () => assert.equal(await stored(), description, `${what}: description stored`),
        unchanged: async () => assert.notEqual(await stored(), description, `${what}: description unchanged`),
      };
    }
    case 'deleteRepository': {
      const name = `del-${n}`;
      const repo = await seedRepository(base, p, name);
      const res = await send('DELETE', `${repos}/${name}`);
      return {
        res,
        status: 204,
        verify: async () => {
          assert.equal(await manifestStatus(base, repo, 'v1'), 404, `${what}: its artifact is gone`);
          assert.equal((await admin(`${repos}/${name}`)).status, 404, `${what}: the repository is gone`);
        },
        unchanged: async () => assert.equal(await manifestStatus(base, repo, 'v1'), 200, `${what}: still there`),
      };
    }
    case 'listArtifacts': {
      const res = await send('GET', `${artifacts}?q=${encodeURIComponent('tags=v1')}`);
      return {
        res,
        status: 200,
        verify: async () => assert.deepEqual((res.body as { digest: string }[]).map((a) => a.digest), [p.digest], what),
        unchanged: nothing,
      };
    }
    case 'getArtifact': {
      const res = await send('GET', `${artifacts}/v1`);
      return {
        res,
        status: 200,
        verify: async () => {
          const a = res.body as { digest: string; media_type: string };
          assert.equal(a.digest, p.digest, what);
          assert.equal(a.media_type, MEDIA_MANIFEST, what);
        },
        unchanged: nothing,
      };
    }
    case 'apiDeleteArtifact': {
      const digest = await seedManifest(base, p, `ada-${n}`);
      const res = await send('DELETE', `${artifacts}/${digest}`);
      return {
        res,
        status: 204,
        verify: async () => assert.equal(await manifestStatus(base, p.repo, digest), 404, `${what}: deleted`),
        unchanged: async () => assert.equal(await manifestStatus(base, p.repo, digest), 200, `${what}: still there`),
      };
    }
    case 'addTag': {
      const tag = `at-${n}`;
      const res = await send('POST', `${artifacts}/${p.digest}/tags/${tag}`);
      return {
        res,
        status: 201,
        verify: async () => assert.equal(await manifestStatus(base, p.repo, tag), 200, `${what}: tagged`),
        unchanged: async () => assert.equal(await manifestStatus(base, p.repo, tag), 404, `${what}: not tagged`),
      };
    }
    case 'apiDeleteTag': {
      const tag = `adt-${n}`;
      const digest = await seedManifest(base, p, tag);
      const res = await send('DELETE', `${artifacts}/${tag}/tags/${tag}`);
      return {
        res,
        status: 204,
        verify: async () => {
          assert.equal(await manifestStatus(base, p.repo, tag), 404, `${what}: tag removed`);
          assert.equal(await manifestStatus(base, p.repo, digest), 200, `${what}: the artifact stays`);
        },
        unchanged: async () => assert.equal(await manifestStatus(base, p.repo, tag), 200, `${what}: tag still there`),
      };
    }
    case 'copyIn': {
      const target = `ci-${n}`;
      const res = await send('POST', `${repos}/${target}/artifacts?from=${encodeURIComponent(`${COPY_SOURCE}/${REPO}:v1`)}`);
      const status = () => manifestStatus(base, `${p.name}/${target}`, 'v1');
      return {
        res,
        status: 201,
        verify: async () => {
          assert.equal((res.body as { digest: string }).digest, sourceDigest, what);
          assert.equal(await status(), 200, `${what}: copied`);
        },
        unchanged: async () => assert.equal(await status(), 404, `${what}: nothing copied`),
      };
    }
    case 'scanArtifact': {
      // A manifest of its own per cell: whether a report exists tells whether this call queued a scan.
      const digest = await seedManifest(base, p, `scan-${n}`);
      const res = await send('POST', `${artifacts}/${digest}/scan`);
      const report = async () => (await admin(`${artifacts}/${digest}/scan`)).status;
      return {
        res,
        status: 202,
        verify: async () => {
          assert.match((res.body as { job_id: string }).job_id, /^[0-9a-f-]{36}$/, what);
          assert.equal(await report(), 200, `${what}: a report exists`);
        },
        unchanged: async () => assert.equal(await report(), 404, `${what}: nothing queued`),
      };
    }
    case 'getScanReport': {
      // The project's image has a report (queued by the administrator; dedupe makes repeats free).
      must(await call(base, 'POST', `${artifacts}/v1/scan`, { auth: ADMIN }), 202, `scan ${p.repo}:v1`);
      const res = await send('GET', `${artifacts}/v1/scan`);
      return { res, status: 200, verify: async () => assert.match((res.body as { report_id: string }).report_id, /^[0-9a-f-]{36}$/, what), unchanged: nothing };
    }
    case 'copyOut': {
      const target = `co-${n}`;
      const res = await send('POST', `/api/v1/projects/${COPY_TARGET}/repositories/${target}/artifacts?from=${encodeURIComponent(`${p.repo}:v1`)}`);
      const status = () => manifestStatus(base, `${COPY_TARGET}/${target}`, 'v1');
      return {
        res,
        status: 201,
        verify: async () => {
          assert.equal((res.body as { digest: string }).digest, p.digest, what);
          assert.equal(await status(), 200, `${what}: copied`);
        },
        unchanged: async () => assert.equal(await status(), 404, `${what}: nothing copied`),
      };
    }
  }
}
