/**
 * The world the security matrix runs in, built through the public API as an
 * administrator: users (one per role, an outsider, a second system admin, a
 * spare user to add as a member), a public and a private project with those
 * role memberships, project robots with the permission lists the test names,
 * and an image tagged `v1` in `<project>/app`.
 */
import { ADMIN_PASSWORD } from './berth.ts';
import { basic, call, type Res } from './matrix-http.ts';
import { sha256 } from './oci-client.ts';

export const PASSWORD = 'Matrix-Passw0rd';
export const ADMIN = basic('admin', ADMIN_PASSWORD);
export const REPO = 'app';
export const MEDIA_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export interface RobotAccount {
  name: string;
  secret: string;
}

export interface MatrixProject {
  name: string;
  public: boolean;
  /** `<project>/app` */
  repo: string;
  /** Digest of the `v1` manifest. */
  digest: string;
  configDigest: string;
  configSize: number;
  robots: Record<string, RobotAccount>;
}

export function must(res: Res, status: number, what: string): Res {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 500)}`);
  return res;
}

export async function createUser(base: string, username: string, admin = false): Promise<void> {
  must(await call(base, 'POST', '/api/v1/users', { auth: ADMIN, body: { username, password: PASSWORD, admin } }), 201, `create user ${username}`);
}

export async function createRobot(
  base: string,
  project: string,
  name: string,
  permissions: readonly string[],
  extra: { disabled?: boolean; duration?: number } = {},
): Promise<RobotAccount> {
  const access = permissions.map((p) => {
    const [resource, action] = p.split(':');
    return { resource, action };
  });
  const res = must(
    await call(base, 'POST', '/api/v1/robots', { auth: ADMIN, body: { name, level: 'project', permissions: [{ namespace: project, access }], ...extra } }),
    201,
    `create robot ${name} in ${project}`,
  );
  const body = res.body as { name: string; secret: string };
  return { name: body.name, secret: body.secret };
}

const CONFIG = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });

/** A manifest of `<repo>`'s config and one layer, made unique by an annotation. */
export function manifestOf(configDigest: string, layer: { digest: string; size: number }, unique: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: Buffer.byteLength(CONFIG) },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer.digest, size: layer.size }],
    annotations: { 'org.example.matrix.cell': unique },
  });
}

export async function pushBlobAs(base: string, auth: string | undefined, repo: string, data: string, headers: Record<string, string> = {}): Promise<Res> {
  return call(base, 'POST', `/v2/${repo}/blobs/uploads/?digest=${sha256(data)}`, { auth, raw: data, headers: { 'content-type': 'application/octet-stream', ...headers } });
}

export async function pushManifestAs(base: string, auth: string | undefined, repo: string, reference: string, manifest: string, headers: Record<string, string> = {}): Promise<Res> {
  return call(base, 'PUT', `/v2/${repo}/manifests/${reference}`, { auth, raw: manifest, headers: { 'content-type': MEDIA_MANIFEST, ...headers } });
}

/** The layer every seeded manifest of a project points at. */
export const baseLayer = (project: string) => `base layer of ${project}`;

/** Pushes, as admin, a fresh manifest tagged `tag` into the project's repo; returns its digest. */
export async function seedManifest(base: string, p: MatrixProject, tag: string): Promise<string> {
  const layer = baseLayer(p.name);
  const body = manifestOf(p.configDigest, { digest: sha256(layer), size: Buffer.byteLength(layer) }, `${p.name}:${tag}`);
  must(await pushManifestAs(base, ADMIN, p.repo, tag, body), 201, `seed ${p.repo}:${tag}`);
  return sha256(body);
}

export async function createProject(base: string, name: string, isPublic: boolean): Promise<MatrixProject> {
  must(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name, public: isPublic } }), 201, `create project ${name}`);
  const repo = `${name}/${REPO}`;
  must(await pushBlobAs(base, ADMIN, repo, CONFIG), 201, `config blob of ${repo}`);
  const layer = baseLayer(name);
  must(await pushBlobAs(base, ADMIN, repo, layer), 201, `layer of ${repo}`);
  const p: MatrixProject = { name, public: isPublic, repo, digest: '', configDigest: sha256(CONFIG), configSize: Buffer.byteLength(CONFIG), robots: {} };
  p.digest = await seedManifest(base, p, 'v1');
  return p;
}

export async function addMember(base: string, project: string, username: string, role: string): Promise<void> {
  must(await call(base, 'POST', `/api/v1/projects/${project}/members`, { auth: ADMIN, body: { kind: 'user', name: username, role } }), 201, `member ${username} of ${project}`);
}

/** HEAD of a manifest as admin: 200 when present, 404 when not. */
export async function manifestStatus(base: string, repo: string, reference: string): Promise<number> {
  return (await call(base, 'HEAD', `/v2/${repo}/manifests/${reference}`, { auth: ADMIN })).status;
}
