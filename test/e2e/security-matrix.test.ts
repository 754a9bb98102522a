/**
 * The security matrix: every subject × every action × {public, private}
 * project, against a real Berth per metadata database, through every door:
 * /v2 with the registry token flow (GET /auth/token with Basic, then
 * Bearer), /v2 with Basic directly, and /api/v1 with Basic. Expectations
 * come from the small table below, written by hand from Harbor's role
 * semantics; the test never reads src/access/permissions.ts, so a wrong
 * entry there makes it fail. Every denial must carry the right status and
 * error body and appear in the audit log. The registry browsing API
 * (repositories, artifacts, tags, copies; test/support/matrix-browse.ts) is in
 * the matrix too, and each of its refusals is audited exactly once. Then the special cases: tokens
 * used out of scope, after the robot was disabled, after expiry, forged
 * ones; hostile names; a cross-project mount without pull on the source;
 * robot expiry.
 *
 * Every request of a subject comes from a fresh X-Forwarded-For address
 * (the Berth trusts the proxy header here): denials are matched to their
 * audit records by source address, and the login throttle, which also
 * counts failures per address, never locks the suite out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT, generateKeyPair } from 'jose';
import { startTestBerth, type TestBerth } from '../support/berth.ts';
import { testDatabases } from '../support/databases.ts';
import {
  ADMIN,
  PASSWORD,
  addMember,
  baseLayer,
  createProject,
  createRobot,
  createUser,
  manifestOf,
  manifestStatus,
  must,
  pushBlobAs,
  pushManifestAs,
  seedManifest,
  type MatrixProject,
  type RobotAccount,
} from '../support/matrix-fixture.ts';
import { ANONYMOUS_READABLE, BROWSE_ACTIONS, COPY_SOURCE, COPY_TARGET, browseCell, type BrowseAction, type BrowseCell } from '../support/matrix-browse.ts';
import { auditEntries, basic, bearer, call, eventually, fetchToken, firstError, freshIp, jwtPayload, rawCall, sleep, type AuditEntry, type Res } from '../support/matrix-http.ts';
import { sha256 } from '../support/oci-client.ts';

// ---------------------------------------------------------------------------
// The expectation table (Harbor's semantics, by hand — not computed from src)
// ---------------------------------------------------------------------------

const ROLES = ['limitedGuest', 'guest', 'developer', 'maintainer', 'projectAdmin'] as const;
type RoleName = (typeof ROLES)[number];

const V2_ACTIONS = ['pull', 'push', 'deleteArtifact', 'deleteTag', 'listTags', 'catalog'] as const;
const API_ACTIONS = ['manageMembers', 'createRobot', 'changeSettings', 'readAuditLog'] as const;
type V2Action = (typeof V2_ACTIONS)[number];
type ApiAction = (typeof API_ACTIONS)[number] | BrowseAction;
type Action = V2Action | ApiAction;
const ALL_ACTIONS: readonly Action[] = [...V2_ACTIONS, ...API_ACTIONS, ...BROWSE_ACTIONS];
const isBrowse = (a: Action): a is BrowseAction => (BROWSE_ACTIONS as readonly string[]).includes(a);

/**
 * What anyone who can see a public project may do there (anonymous too: the
 * matrix Berth has anonymousPull on; except copying out, which needs a
 * signed-in caller who may push somewhere).
 */
const READ: readonly Action[] = ['pull', 'listTags', 'catalog', 'listRepositories', 'getRepository', 'listArtifacts', 'getArtifact', 'copyOut', 'getScanReport'];
/** Read actions only a signed-in caller can do. */
const SIGNED_IN_ONLY: readonly Action[] = ['copyOut'];

/**
 * Harbor: LimitedGuest pulls and reads; Guest also lists members, robots
 * and logs; Developer also pushes; Maintainer also deletes artifacts and
 * tags; ProjectAdmin also manages members, robots and project settings.
 */
const ROLE_MAY: Record<RoleName, readonly Action[]> = {
  limitedGuest: READ,
  guest: [...READ, 'readAuditLog'],
  developer: [...READ, 'readAuditLog', 'push', 'updateRepository', 'addTag', 'copyIn', 'scanArtifact'],
  maintainer: [...READ, 'readAuditLog', 'push', 'updateRepository', 'addTag', 'copyIn', 'scanArtifact', 'deleteArtifact', 'deleteTag', 'deleteRepository', 'apiDeleteArtifact', 'apiDeleteTag'],
  projectAdmin: ALL_ACTIONS,
};

/**
 * The permissions a robot must hold for each action. Through /v2 every
 * delete (manifest by digest or by tag) is the token action `delete`, which
 * needs artifact:delete (docs/permissions.md).
 */
const NEEDS: Record<Action, readonly string[]> = {
  pull: ['repository:pull'],
  push: ['repository:push'],
  deleteArtifact: ['artifact:delete'],
  deleteTag: ['artifact:delete'],
  listTags: ['repository:pull'],
  catalog: ['repository:pull'],
  manageMembers: ['member:create'],
  // Nobody grants a robot more than they hold: creating a pull robot needs pull.
  createRobot: ['robot:create', 'repository:pull'],
  changeSettings: ['project:update'],
  readAuditLog: ['log:list'],
  listRepositories: ['repository:list'],
  getRepository: ['repository:list'],
  // Harbor's repository:update, which developers hold.
  updateRepository: ['repository:push'],
  deleteRepository: ['repository:delete'],
  listArtifacts: ['artifact:list'],
  getArtifact: ['artifact:read'],
  apiDeleteArtifact: ['artifact:delete'],
  addTag: ['tag:create'],
  // Unlike /v2, the API removes a tag with tag:delete alone.
  apiDeleteTag: ['tag:delete'],
  // Pull on the (public) source comes with public read.
  copyIn: ['repository:push'],
  // Push on the target comes with the copy robots' second permission set.
  copyOut: ['repository:pull'],
  // Requesting a scan (reading results is artifact:read, which public read includes).
  scanArtifact: ['scan:create'],
  getScanReport: ['artifact:read'],
};

/** Project robots of each project (besides the disabled ones). */
const ROBOT_PERMS = {
  pull: ['repository:pull'],
  pushpull: ['repository:pull', 'repository:push'],
  deleter: ['repository:pull', 'artifact:delete', 'tag:delete'],
  members: ['member:create', 'member:list'],
  robots: ['robot:create', 'robot:list', 'repository:pull'],
  settings: ['project:update'],
  logs: ['log:list'],
  // Read-ish permissions that are not repository:pull.
  nopull: ['artifact:read', 'tag:list', 'artifact:list'],
  lister: ['repository:list'],
  repodelete: ['repository:delete'],
  tagger: ['tag:create'],
  untagger: ['tag:delete'],
  // System robots (a project robot holds one project): these on the cell's project, plus push on COPY_TARGET.
  copyout: ['repository:pull'],
  copynopull: ['artifact:read'],
  scanner: ['scan:create'],
} as const satisfies Record<string, readonly string[]>;
type RobotKey = keyof typeof ROBOT_PERMS;
const COPY_ROBOTS: readonly RobotKey[] = ['copyout', 'copynopull'];

const ROBOT_WITH: Record<Action, RobotKey> = {
  pull: 'pull',
  push: 'pushpull',
  deleteArtifact: 'deleter',
  deleteTag: 'deleter',
  listTags: 'pull',
  catalog: 'pull',
  manageMembers: 'members',
  createRobot: 'robots',
  changeSettings: 'settings',
  readAuditLog: 'logs',
  listRepositories: 'lister',
  getRepository: 'lister',
  updateRepository: 'pushpull',
  deleteRepository: 'repodelete',
  listArtifacts: 'nopull',
  getArtifact: 'nopull',
  apiDeleteArtifact: 'deleter',
  addTag: 'tagger',
  apiDeleteTag: 'untagger',
  copyIn: 'pushpull',
  copyOut: 'copyout',
  scanArtifact: 'scanner',
  getScanReport: 'nopull',
};
const ROBOT_WITHOUT: Record<Action, RobotKey> = {
  pull: 'nopull',
  push: 'pull',
  deleteArtifact: 'pushpull',
  deleteTag: 'pushpull',
  listTags: 'nopull',
  catalog: 'nopull',
  manageMembers: 'pushpull',
  createRobot: 'pushpull',
  changeSettings: 'pushpull',
  readAuditLog: 'pushpull',
  listRepositories: 'nopull',
  getRepository: 'nopull',
  updateRepository: 'pull',
  deleteRepository: 'deleter',
  listArtifacts: 'lister',
  getArtifact: 'lister',
  apiDeleteArtifact: 'pushpull',
  addTag: 'pushpull',
  apiDeleteTag: 'pushpull',
  copyIn: 'pull',
  copyOut: 'copynopull',
  scanArtifact: 'pushpull',
  getScanReport: 'lister',
};

const SUBJECTS = ['anonymous', ...ROLES, 'outsider', 'robotWith', 'robotWithout', 'sysadmin', 'disabledRobot'] as const;
type SubjectId = (typeof SUBJECTS)[number];

interface Expectation {
  allowed: boolean;
  /** Whether the project is visible (an /api/v1 denial is 403, else 404). */
  visible: boolean;
  /** False for anonymous callers and refused credentials: /api/v1 answers 401. */
  signedIn: boolean;
}

const has = (perms: readonly string[], needs: readonly string[]) => needs.every((n) => perms.includes(n));

function expected(subject: SubjectId, action: Action, isPublic: boolean): Expectation {
  const publicRead = isPublic && READ.includes(action);
  switch (subject) {
    case 'anonymous':
      return { allowed: publicRead && !SIGNED_IN_ONLY.includes(action), visible: isPublic, signedIn: false };
    case 'outsider':
      return { allowed: publicRead, visible: isPublic, signedIn: true };
    case 'sysadmin':
      return { allowed: true, visible: true, signedIn: true };
    case 'disabledRobot':
      return { allowed: false, visible: false, signedIn: false };
    case 'robotWith':
    case 'robotWithout': {
      const perms: readonly string[] = ROBOT_PERMS[(subject === 'robotWith' ? ROBOT_WITH : ROBOT_WITHOUT)[action]];
      return { allowed: publicRead || has(perms, NEEDS[action]), visible: isPublic || perms.includes('project:read'), signedIn: true };
    }
    default:
      return { allowed: ROLE_MAY[subject].includes(action), visible: true, signedIn: true };
  }
}

// ---------------------------------------------------------------------------

type Channel = 'v2-token' | 'v2-basic' | 'api';

interface Denial {
  label: string;
  /** Who the audit record must name ('' for anonymous). */
  actor: string;
  project: string;
  ip: string;
  /** Where the refusal is recorded: a /v2 authorization, an /api/v1 authorization, or a failed sign-in. */
  kind: 'v2' | 'api' | 'login' | 'api-anonymous';
  /** A refusal of the registry browsing API: exactly one refusal record. */
  once?: boolean;
}

interface World {
  berth: TestBerth;
  base: string;
  pub: MatrixProject;
  priv: MatrixProject;
  /** COPY_SOURCE's `app:v1` digest. */
  sourceDigest: string;
  /** Disabled robots, one per project and action (each fails only a few sign-ins: the per-user throttle stays away). */
  disabled: Map<string, RobotAccount>;
  denials: Denial[];
  cells: number;
  seq: number;
}

interface Creds {
  name: string;
  password: string;
}

function credentialsOf(w: World, subject: SubjectId, action: Action, p: MatrixProject): Creds | undefined {
  switch (subject) {
    case 'anonymous':
      return undefined;
    case 'outsider':
      return { name: 'mx-outsider', password: PASSWORD };
    case 'sysadmin':
      return { name: 'mx-sysadmin', password: PASSWORD };
    case 'disabledRobot': {
      const r = w.disabled.get(`${p.name}:${action}`)!;
      return { name: r.name, password: r.secret };
    }
    case 'robotWith':
    case 'robotWithout': {
      const r = p.robots[(subject === 'robotWith' ? ROBOT_WITH : ROBOT_WITHOUT)[action]]!;
      return { name: r.name, password: r.secret };
    }
    default:
      return { name: `mx-${subject.toLowerCase()}`, password: PASSWORD };
  }
}

const TOKEN_SCOPE: Record<V2Action, (repo: string) => string> = {
  pull: (r) => `repository:${r}:pull`,
  listTags: (r) => `repository:${r}:pull`,
  push: (r) => `repository:${r}:pull,push`,
  deleteArtifact: (r) => `repository:${r}:delete`,
  deleteTag: (r) => `repository:${r}:delete`,
  catalog: () => 'registry:catalog:*',
};
/** The token action each /v2 request needs (for the challenge's scope). */
const TOKEN_ACTION: Record<V2Action, string> = { pull: 'pull', listTags: 'pull', push: 'push', deleteArtifact: 'delete', deleteTag: 'delete', catalog: '*' };

function label(subject: SubjectId, action: Action, p: MatrixProject, channel: Channel): string {
  return `${subject} ${action} ${p.public ? 'public' : 'private'} via ${channel}`;
}

/** A response that must be a refusal, with its status, code and a message. */
function assertRefusal(res: Res, status: number, code: string, what: string, mention?: string): void {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 300)}`);
  const e = firstError(res);
  assert.ok(e, `${what}: no {"errors":[{code,message}]} body: ${res.text.slice(0, 300)}`);
  assert.equal(e.code, code, `${what}: error code`);
  assert.ok(e.message.length > 0, `${what}: empty error message`);
  if (mention) assert.ok(e.message.includes(mention), `${what}: message ${JSON.stringify(e.message)} should name ${mention}`);
}

async function v2Cell(w: World, subject: SubjectId, action: V2Action, p: MatrixProject, mode: 'token' | 'basic'): Promise<void> {
  const channel: Channel = mode === 'token' ? 'v2-token' : 'v2-basic';
  const what = label(subject, action, p, channel);
  const exp = expected(subject, action, p.public);
  const creds = credentialsOf(w, subject, action, p);
  const base = w.base;
  const n = ++w.seq;
  w.cells++;

  let auth: string | undefined = creds && basic(creds.name, creds.password);
  if (mode === 'token') {
    const ip = freshIp();
    const t = await fetchToken(base, [TOKEN_SCOPE[action](p.repo)], auth, { 'x-forwarded-for': ip });
    if (subject === 'disabledRobot') {
      assertRefusal(t.res, 401, 'UNAUTHORIZED', `${what} (token endpoint)`);
      w.denials.push({ label: `${what} (token endpoint)`, actor: creds!.name, project: p.name, ip, kind: 'login' });
      return;
    }
    assert.equal(t.res.status, 200, `${what}: token endpoint ${t.res.status} ${t.res.text}`);
    if (action !== 'catalog') {
      const access = (jwtPayload(t.token!).access ?? []) as { name: string; actions: string[] }[];
      const granted = access.some((a) => a.name === p.repo && a.actions.includes(TOKEN_ACTION[action]));
      assert.equal(granted, exp.allowed, `${what}: token grants ${TOKEN_ACTION[action]}: ${JSON.stringify(access)}`);
    }
    auth = bearer(t.token!);
  }

  /** Checks a refused /v2 request and records the denial. */
  const refused = (res: Res, ip: string, step: string) => {
    const s = `${what}${step}`;
    if (subject === 'disabledRobot') {
      assertRefusal(res, 401, 'UNAUTHORIZED', s);
      w.denials.push({ label: s, actor: creds!.name, project: p.name, ip, kind: 'login' });
      return;
    }
    if (mode === 'token') {
      assertRefusal(res, 401, 'UNAUTHORIZED', s, p.repo);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="[^"]+\/auth\/token",service="berth",scope="[^"]+",error="insufficient_scope"$/, `${s}: challenge`);
    } else if (!creds) {
      assertRefusal(res, 401, 'UNAUTHORIZED', s);
      const challenge = res.headers.get('www-authenticate') ?? '';
      assert.ok(challenge.startsWith('Bearer realm="'), `${s}: challenge ${challenge}`);
      assert.ok(challenge.includes(`scope="repository:${p.repo}:${TOKEN_ACTION[action]}"`), `${s}: challenge scope ${challenge}`);
    } else {
      assertRefusal(res, 403, 'DENIED', s, p.repo);
      assert.equal(res.headers.get('www-authenticate'), null, `${s}: a Basic caller gets no token challenge`);
    }
    w.denials.push({ label: s, actor: creds?.name ?? '', project: p.name, ip, kind: 'v2' });
  };
  const send = async (method: string, path: string, extra: { raw?: string; headers?: Record<string, string> } = {}) => {
    const ip = freshIp();
    const res = await call(base, method, path, { auth, ...(extra.raw !== undefined ? { raw: extra.raw } : {}), headers: { 'x-forwarded-for': ip, ...extra.headers } });
    return { res, ip };
  };

  switch (action) {
    case 'pull': {
      const { res, ip } = await send('GET', `/v2/${p.repo}/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
      if (!exp.allowed) return refused(res, ip, '');
      assert.equal(res.status, 200, `${what}: ${res.status} ${res.text.slice(0, 200)}`);
      assert.equal(res.headers.get('docker-content-digest'), p.digest, what);
      const blob = await send('GET', `/v2/${p.repo}/blobs/${p.configDigest}`);
      assert.equal(blob.res.status, 200, `${what} (config blob)`);
      return;
    }
    case 'listTags': {
      const { res, ip } = await send('GET', `/v2/${p.repo}/tags/list`);
      if (!exp.allowed) return refused(res, ip, '');
      assert.equal(res.status, 200, `${what}: ${res.status} ${res.text.slice(0, 200)}`);
      assert.ok((res.body as { tags: string[] }).tags.includes('v1'), what);
      return;
    }
    case 'catalog': {
      const { res, ip } = await send('GET', '/v2/_catalog?n=10000');
      if (subject === 'disabledRobot') return refused(res, ip, '');
      assert.equal(res.status, 200, `${what}: ${res.status} ${res.text.slice(0, 200)}`);
      const repos = (res.body as { repositories: string[] }).repositories;
      assert.equal(repos.includes(p.repo), exp.allowed, `${what}: catalog ${exp.allowed ? 'should' : 'should not'} list ${p.repo}: ${JSON.stringify(repos)}`);
      return;
    }
    case 'push': {
      const layer = `layer pushed by cell ${n}`;
      const tag = `push-${n}`;
      const blob = await send('POST', `/v2/${p.repo}/blobs/uploads/?digest=${sha256(layer)}`, { raw: layer, headers: { 'content-type': 'application/octet-stream' } });
      const manifest = manifestOf(p.configDigest, { digest: sha256(layer), size: Buffer.byteLength(layer) }, `push ${n}`);
      const put = await send('PUT', `/v2/${p.repo}/manifests/${tag}`, { raw: manifest, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
      if (!exp.allowed) {
        refused(blob.res, blob.ip, ' (blob upload)');
        refused(put.res, put.ip, ' (manifest)');
        assert.equal(await manifestStatus(base, p.repo, tag), 404, `${what}: nothing was pushed`);
        assert.equal((await call(base, 'HEAD', `/v2/${p.repo}/blobs/${sha256(layer)}`, { auth: ADMIN })).status, 404, `${what}: no blob was linked`);
        return;
      }
      assert.equal(blob.res.status, 201, `${what} (blob): ${blob.res.status} ${blob.res.text.slice(0, 200)}`);
      assert.equal(put.res.status, 201, `${what} (manifest): ${put.res.status} ${put.res.text.slice(0, 200)}`);
      assert.equal(await manifestStatus(base, p.repo, tag), 200, `${what}: pushed`);
      return;
    }
    case 'deleteArtifact':
    case 'deleteTag': {
      const tag = `${action === 'deleteTag' ? 'dt' : 'da'}-${n}`;
      const digest = await seedManifest(base, p, tag);
      const reference = action === 'deleteTag' ? tag : digest;
      const { res, ip } = await send('DELETE', `/v2/${p.repo}/manifests/${reference}`);
      if (!exp.allowed) {
        refused(res, ip, '');
        assert.equal(await manifestStatus(base, p.repo, reference), 200, `${what}: still there`);
        return;
      }
      assert.equal(res.status, 202, `${what}: ${res.status} ${res.text.slice(0, 200)}`);
      assert.equal(await manifestStatus(base, p.repo, reference), 404, `${what}: deleted`);
      return;
    }
  }
}

async function apiCell(w: World, subject: SubjectId, action: ApiAction, p: MatrixProject): Promise<void> {
  const what = label(subject, action, p, 'api');
  const exp = expected(subject, action, p.public);
  const creds = credentialsOf(w, subject, action, p);
  const auth = creds && basic(creds.name, creds.password);
  const base = w.base;
  const n = ++w.seq;
  w.cells++;
  const ip = freshIp();
  const headers = { 'x-forwarded-for': ip };

  let res: Res;
  let confirmUnchanged: (() => Promise<void>) | undefined;
  let cell: BrowseCell | undefined;
  if (isBrowse(action)) {
    cell = await browseCell(base, action, p, w.sourceDigest, auth, headers, n, what);
    res = cell.res;
    confirmUnchanged = cell.unchanged;
  } else switch (action) {
    case 'manageMembers':
      res = await call(base, 'POST', `/api/v1/projects/${p.name}/members`, { auth, headers, body: { kind: 'user', name: 'mx-spare', role: 'guest' } });
      if (res.status === 201) must(await call(base, 'DELETE', `/api/v1/projects/${p.name}/members/user/mx-spare`, { auth: ADMIN }), 204, 'remove mx-spare');
      confirmUnchanged = async () => {
        const members = (await call(base, 'GET', `/api/v1/projects/${p.name}/members`, { auth: ADMIN })).body as { name: string }[];
        assert.ok(!members.some((m) => m.name === 'mx-spare'), `${what}: no member was added`);
      };
      break;
    case 'createRobot': {
      const name = `made-${n}`;
      res = await call(base, 'POST', '/api/v1/robots', {
        auth,
        headers,
        body: { name, level: 'project', duration: 1, permissions: [{ namespace: p.name, access: [{ resource: 'repository', action: 'pull' }] }] },
      });
      confirmUnchanged = async () => {
        const got = await call(base, 'GET', `/api/v1/robots/${encodeURIComponent(`robot$${p.name}+${name}`)}`, { auth: ADMIN });
        assert.equal(got.status, 404, `${what}: no robot was created`);
      };
      break;
    }
    case 'changeSettings':
      res = await call(base, 'PUT', `/api/v1/projects/${p.name}`, { auth, headers, body: { public: p.public } });
      break;
    case 'readAuditLog':
      res = await call(base, 'GET', `/api/v1/projects/${p.name}/audit-logs`, { auth, headers });
      break;
  }

  if (exp.allowed) {
    const want = cell ? cell.status : action === 'manageMembers' || action === 'createRobot' ? 201 : 200;
    assert.equal(res.status, want, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
    if (action === 'readAuditLog') assert.ok(Array.isArray(res.body), what);
    if (action === 'changeSettings') assert.equal((res.body as { public: boolean }).public, p.public, what);
    await cell?.verify();
    return;
  }
  const once = cell !== undefined;
  // Routes that answer anonymous callers refuse them like anyone else who cannot see the project.
  const anonymousRead = subject === 'anonymous' && isBrowse(action) && ANONYMOUS_READABLE.includes(action);
  if (!exp.signedIn && !anonymousRead) {
    assertRefusal(res, 401, 'UNAUTHORIZED', what);
    assert.ok(res.headers.get('www-authenticate')?.startsWith('Basic'), `${what}: Basic challenge`);
    w.denials.push({ label: what, actor: creds?.name ?? '', project: p.name, ip, kind: subject === 'disabledRobot' ? 'login' : 'api-anonymous', once });
  } else if (exp.visible) {
    assertRefusal(res, 403, 'FORBIDDEN', what, p.name);
    w.denials.push({ label: what, actor: creds!.name, project: p.name, ip, kind: 'api', once });
  } else {
    // Invisible: the same answer as for a project that does not exist.
    assertRefusal(res, 404, 'NOT_FOUND', what, p.name);
    assert.equal((firstError(res) ?? { message: '' }).message, `project ${p.name} not found`, `${what}: indistinguishable from a missing project`);
    w.denials.push({ label: what, actor: creds?.name ?? '', project: p.name, ip, kind: 'api', once });
  }
  await confirmUnchanged?.();
}

async function buildWorld(berth: TestBerth): Promise<World> {
  const base = berth.url;
  for (const r of ROLES) await createUser(base, `mx-${r.toLowerCase()}`);
  await createUser(base, 'mx-outsider');
  await createUser(base, 'mx-spare');
  await createUser(base, 'mx-sysadmin', true);
  const source = await createProject(base, COPY_SOURCE, true);
  await createProject(base, COPY_TARGET, false);
  // Every user subject may push to the copy target: only pull on the cell's project decides a copy out of it.
  for (const u of [...ROLES.map((r) => r.toLowerCase()), 'outsider']) await addMember(base, COPY_TARGET, `mx-${u}`, 'developer');
  const pub = await createProject(base, 'mx-pub', true);
  const priv = await createProject(base, 'mx-priv', false);
  const disabled = new Map<string, RobotAccount>();
  for (const p of [pub, priv]) {
    for (const r of ROLES) await addMember(base, p.name, `mx-${r.toLowerCase()}`, r);
    for (const [key, perms] of Object.entries(ROBOT_PERMS) as [RobotKey, readonly string[]][]) {
      p.robots[key] = COPY_ROBOTS.includes(key)
        ? await createSystemRobot(base, `${key}-${p.name}`, { [p.name]: perms, [COPY_TARGET]: ['repository:pull', 'repository:push'] })
        : await createRobot(base, p.name, key, perms);
    }
    for (const a of ALL_ACTIONS) {
      disabled.set(`${p.name}:${a}`, await createRobot(base, p.name, `disabled-${a.toLowerCase()}`, ['repository:pull', 'repository:push', 'artifact:delete'], { disabled: true }));
    }
  }
  return { berth, base, pub, priv, sourceDigest: source.digest, disabled, denials: [], cells: 0, seq: 0 };
}

/** A system robot holding `perms` (project → permissions). */
async function createSystemRobot(base: string, name: string, perms: Record<string, readonly string[]>): Promise<RobotAccount> {
  const permissions = Object.entries(perms).map(([namespace, list]) => ({
    namespace,
    access: list.map((x) => ({ resource: x.split(':')[0], action: x.split(':')[1] })),
  }));
  const res = must(await call(base, 'POST', '/api/v1/robots', { auth: ADMIN, body: { name, level: 'system', permissions } }), 201, `system robot ${name}`);
  return res.body as RobotAccount;
}

/** The audit records of failures, by source address. */
async function failuresByIp(base: string): Promise<Map<string, AuditEntry[]>> {
  const byIp = new Map<string, AuditEntry[]>();
  for (const e of await auditEntries(base, ADMIN, { outcome: 'failure' })) byIp.set(e.sourceIp, [...(byIp.get(e.sourceIp) ?? []), e]);
  return byIp;
}

function missingAudit(denials: Denial[], byIp: Map<string, AuditEntry[]>, matches: (d: Denial, e: AuditEntry) => boolean): string[] {
  return denials.filter((d) => !(byIp.get(d.ip) ?? []).some((e) => e.outcome === 'failure' && matches(d, e))).map((d) => `${d.label} [from ${d.ip}]`);
}

const ISS_AUD = 'berth';

for (const database of await testDatabases()) {
  describe(`security matrix on ${database.name}`, { skip: database.skip }, () => {
    let w: World;
    /** A Berth with the shortest token lifetime (30 s) and anonymousPull off. */
    let shortTtl: TestBerth;
    let shortToken: { token: string; exp: number };

    before(async () => {
      const env = await database.env();
      [w, shortTtl] = await Promise.all([
        startTestBerth({ ...env, BERTH_ANONYMOUS_PULL: 'true', BERTH_TRUST_PROXY: 'true' }).then(buildWorld),
        startTestBerth({ ...(await database.env()), BERTH_TOKEN_TTL_SECONDS: '30' }),
      ]);
      // Issued first, checked last: the 30 s wait overlaps the matrix.
      await createProject(shortTtl.url, 'ttl-pub', true);
      const t = await fetchToken(shortTtl.url, ['repository:ttl-pub/app:pull'], ADMIN);
      assert.ok(t.token, `short-lived token: ${t.res.status}`);
      shortToken = { token: t.token, exp: Number(jwtPayload(t.token).exp) };
      const works = await call(shortTtl.url, 'GET', '/v2/ttl-pub/app/tags/list', { auth: bearer(t.token) });
      assert.equal(works.status, 200, 'the short-lived token works while fresh');
    });
    after(async () => {
      await w?.berth.stop();
      await shortTtl?.stop();
    });

    test('the expectation table is consistent with itself', () => {
      for (const a of ALL_ACTIONS) {
        assert.ok(has(ROBOT_PERMS[ROBOT_WITH[a]], NEEDS[a]), `robot with ${a}`);
        assert.ok(!has(ROBOT_PERMS[ROBOT_WITHOUT[a]], NEEDS[a]), `robot without ${a}`);
      }
      // Each role holds what the role below holds, and one more thing.
      for (let i = 1; i < ROLES.length; i++) {
        const lower = ROLE_MAY[ROLES[i - 1]!];
        const higher = ROLE_MAY[ROLES[i]!];
        assert.ok(lower.every((a) => higher.includes(a)) && higher.length > lower.length, `${ROLES[i]} ⊋ ${ROLES[i - 1]}`);
      }
    });

    for (const subject of SUBJECTS) {
      test(`matrix: ${subject}`, async () => {
        for (const p of [w.pub, w.priv]) {
          for (const action of V2_ACTIONS) {
            await v2Cell(w, subject, action, p, 'token');
            await v2Cell(w, subject, action, p, 'basic');
          }
          for (const action of API_ACTIONS) await apiCell(w, subject, action, p);
          for (const action of BROWSE_ACTIONS) await apiCell(w, subject, action, p);
        }
      });
    }

    test('matrix size', (t) => {
      const expectedCells = SUBJECTS.length * 2 * (V2_ACTIONS.length * 2 + API_ACTIONS.length + BROWSE_ACTIONS.length);
      const message = `security matrix on ${database.name}: ${w.cells} asserted cells (${SUBJECTS.length} subjects × ${ALL_ACTIONS.length} actions × 2 projects; /v2 token + /v2 Basic + /api/v1), ${w.denials.length} denials (${w.denials.filter((d) => d.once).length} of the browsing API)`;
      t.diagnostic(message);
      console.log(message);
      assert.equal(w.cells, expectedCells);
    });

    test('every /v2 denial is in the audit log, with actor, repository and action', async () => {
      const byIp = await failuresByIp(w.base);
      const denials = w.denials.filter((d) => d.kind === 'v2');
      assert.ok(denials.length >= 50, `${denials.length} /v2 denials`);
      const missing = missingAudit(denials, byIp, (d, e) => e.actor.name === d.actor && e.resource === `${d.project}/app` && e.project === d.project && ['pull', 'push', 'delete'].includes(e.action));
      assert.deepEqual(missing.slice(0, 20), [], `${missing.length} of ${denials.length} /v2 denials not audited`);
    });

    test('every refused sign-in (disabled robots) is in the audit log', async () => {
      const byIp = await failuresByIp(w.base);
      const denials = w.denials.filter((d) => d.kind === 'login');
      assert.ok(denials.length > 0);
      const missing = missingAudit(denials, byIp, (d, e) => e.actor.name === d.actor && e.actor.kind === 'robot' && e.action === 'login');
      assert.deepEqual(missing.slice(0, 20), [], `${missing.length} of ${denials.length} refused sign-ins not audited`);
    });

    test('every /api/v1 authorization denial (403 and 404) is in the audit log', async () => {
      const byIp = await failuresByIp(w.base);
      const denials = w.denials.filter((d) => d.kind === 'api');
      assert.ok(denials.length > 0);
      // Each denial came from its own address: the record must name the actor (where it names the project is not checked).
      const missing = missingAudit(denials, byIp, (d, e) => e.actor.name === d.actor);
      assert.deepEqual(missing.slice(0, 20), [], `${missing.length} of ${denials.length} /api/v1 denials not audited`);
    });

    test('every refusal of the registry browsing API is audited exactly once, naming the actor', async () => {
      const byIp = await failuresByIp(w.base);
      const denials = w.denials.filter((d) => d.once);
      assert.ok(denials.length >= 100, `${denials.length} browsing API denials`);
      const wrong: string[] = [];
      for (const d of denials) {
        const records = (byIp.get(d.ip) ?? []).filter((e) => e.resource.startsWith('/projects/'));
        // A refused sign-in has its own login record (checked above); the refusal itself names no one.
        const named = d.kind === 'login' || records.every((e) => e.actor.name === d.actor);
        if (records.length !== 1 || !named) wrong.push(`${d.label} [from ${d.ip}]: ${JSON.stringify(records.map((e) => [e.actor.name, e.resource, e.detail]))}`);
      }
      assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} of ${denials.length} browsing API denials not audited exactly once`);
    });

    describe('special cases', () => {
      const dev = basic('mx-developer', PASSWORD);

      test('a token scoped to repository A does not open repository B, nor another action on A', async () => {
        const p = w.priv;
        const other = `${p.name}/other`;
        const layer = 'layer of other';
        must(await pushBlobAs(w.base, ADMIN, other, layer), 201, 'other layer');
        must(await pushBlobAs(w.base, ADMIN, other, JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })), 201, 'other config');
        must(await pushManifestAs(w.base, ADMIN, other, 'v1', manifestOf(p.configDigest, { digest: sha256(layer), size: Buffer.byteLength(layer) }, 'other')), 201, 'other manifest');
        const t = await fetchToken(w.base, [`repository:${p.repo}:pull`], dev);
        assert.ok(t.token);
        assert.equal((await call(w.base, 'GET', `/v2/${p.repo}/tags/list`, { auth: bearer(t.token) })).status, 200, 'A works');
        // The developer may pull B (Basic proves it), but not with A's token.
        assert.equal((await call(w.base, 'GET', `/v2/${other}/tags/list`, { auth: dev })).status, 200, 'B with Basic');
        const onB = await call(w.base, 'GET', `/v2/${other}/tags/list`, { auth: bearer(t.token) });
        assertRefusal(onB, 401, 'UNAUTHORIZED', 'A token on B', other);
        assert.match(onB.headers.get('www-authenticate') ?? '', new RegExp(`scope="repository:${other}:pull",error="insufficient_scope"`));
        const push = await call(w.base, 'POST', `/v2/${p.repo}/blobs/uploads/`, { auth: bearer(t.token) });
        assertRefusal(push, 401, 'UNAUTHORIZED', 'pull token used to push');
        // Nor a project-name prefix: mx-priv's token says nothing about mx-priv-x.
        const prefix = await call(w.base, 'GET', `/v2/${p.name}-x/app/tags/list`, { auth: bearer(t.token) });
        assert.equal(prefix.status, 401);
      });

      test('a token of a robot disabled after issue is refused at once', async () => {
        const r = await createRobot(w.base, w.priv.name, 'later-disabled', ['repository:pull']);
        const t = await fetchToken(w.base, [`repository:${w.priv.repo}:pull`], basic(r.name, r.secret));
        assert.ok(t.token);
        assert.equal((await call(w.base, 'GET', `/v2/${w.priv.repo}/tags/list`, { auth: bearer(t.token) })).status, 200);
        must(await call(w.base, 'PUT', `/api/v1/robots/${encodeURIComponent(r.name)}`, { auth: ADMIN, body: { disabled: true } }), 200, 'disable');
        const ip = freshIp();
        // No wait: the next request is refused.
        const res = await call(w.base, 'GET', `/v2/${w.priv.repo}/tags/list`, { auth: bearer(t.token), headers: { 'x-forwarded-for': ip } });
        assertRefusal(res, 401, 'UNAUTHORIZED', 'token of a disabled robot');
        const basicRes = await call(w.base, 'GET', `/v2/${w.priv.repo}/tags/list`, { auth: basic(r.name, r.secret), headers: { 'x-forwarded-for': freshIp() } });
        assertRefusal(basicRes, 401, 'UNAUTHORIZED', 'Basic of a disabled robot');
        const audited = (await auditEntries(w.base, ADMIN, { outcome: 'failure', actor: r.name })).filter((e) => e.sourceIp === ip);
        assert.equal(audited.length, 1, 'the refused token use is audited');
        assert.equal(audited[0]!.resourceType, 'token');
      });

      test('forged tokens are refused: tampered signature, tampered claims, alg none, unknown key, HS256 with the public key', async () => {
        const t = await fetchToken(w.base, [`repository:${w.priv.repo}:pull`], dev);
        assert.ok(t.token);
        const [h, pl, sig] = t.token.split('.') as [string, string, string];
        const kid = (JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string }).kid;
        const now = Math.floor(Date.now() / 1000);
        const claims = { iss: ISS_AUD, aud: ISS_AUD, sub: 'admin', iat: now, nbf: now - 1, exp: now + 300, jti: 'forged', access: [{ type: 'repository', name: w.priv.repo, actions: ['pull', 'push', 'delete'] }] };
        const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
        // A character in the middle of the signature (the last one carries padding bits).
        const flipped = sig.slice(0, 20) + (sig[20] === 'A' ? 'B' : 'A') + sig.slice(21);
        const foreign = await generateKeyPair('ES256');
        const jwks = (await call(w.base, 'GET', '/auth/jwks')).body as { keys: { kid: string }[] };
        assert.ok(jwks.keys.some((k) => k.kid === kid));
        const forged: Record<string, string> = {
          'tampered signature': `${h}.${pl}.${flipped}`,
          'tampered claims (sub=admin, push+delete)': `${h}.${b64(claims)}.${sig}`,
          'alg none': `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64(claims)}.`,
          'unknown key, real kid': await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).sign(foreign.privateKey),
          'unknown key, unknown kid': await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'not-a-berth-key', typ: 'JWT' }).sign(foreign.privateKey),
          'HS256 keyed with the JWKS document': await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' }).sign(new TextEncoder().encode(JSON.stringify(jwks))),
        };
        for (const [name, token] of Object.entries(forged)) {
          const ip = freshIp();
          const res = await call(w.base, 'GET', `/v2/${w.priv.repo}/tags/list`, { auth: bearer(token), headers: { 'x-forwarded-for': ip } });
          assertRefusal(res, 401, 'UNAUTHORIZED', name);
          assert.ok(res.headers.get('www-authenticate')?.startsWith('Bearer realm='), `${name}: challenge`);
          const del = await call(w.base, 'DELETE', `/v2/${w.priv.repo}/manifests/${w.priv.digest}`, { auth: bearer(token), headers: { 'x-forwarded-for': freshIp() } });
          assert.equal(del.status, 401, `${name}: delete`);
          const audited = (await auditEntries(w.base, ADMIN, { outcome: 'failure', resource_type: 'token' })).filter((e) => e.sourceIp === ip);
          assert.equal(audited.length, 1, `${name}: audited`);
        }
        assert.equal(await manifestStatus(w.base, w.priv.repo, 'v1'), 200);
      });

      test('hostile repository names on /v2: `..`, `%2e%2e`, uppercase, over-length (raw paths)', async () => {
        const out = basic('mx-outsider', PASSWORD);
        const cases = [
          `/v2/${w.pub.name}/../${w.priv.name}/app/tags/list`,
          `/v2/${w.pub.name}/%2e%2e/${w.priv.name}/app/tags/list`,
          `/v2/${w.pub.name}/%2E%2E/${w.priv.name}/app/manifests/v1`,
          `/v2/${w.pub.name}/..%2f${w.priv.name}/app/tags/list`,
          `/v2/MX-PRIV/app/tags/list`,
          `/v2/${w.priv.name.toUpperCase()}/APP/manifests/v1`,
          `/v2/${'a'.repeat(256)}/tags/list`,
          `/v2/${w.pub.name}/${'b'.repeat(250)}/tags/list`,
        ];
        for (const path of cases) {
          for (const auth of [out, undefined]) {
            const res = await rawCall(w.base, 'GET', path, auth ? { authorization: auth } : {});
            assert.equal(res.status, 400, `${path}: ${res.status} ${res.text.slice(0, 200)}`);
            assert.equal(firstError({ text: res.text })?.code, 'NAME_INVALID', path);
          }
        }
        // A reference that tries to climb out is just an unknown (or invalid) reference.
        for (const ref of ['..%2f..%2fv1', '%2e%2e', '..']) {
          const res = await rawCall(w.base, 'GET', `/v2/${w.priv.repo}/manifests/${ref}`, { authorization: basic('mx-developer', PASSWORD) });
          assert.ok([400, 404].includes(res.status), `reference ${ref}: ${res.status} ${res.text.slice(0, 200)}`);
        }
        // The token service grants nothing on a hostile name.
        for (const name of [`${w.pub.name}/../${w.priv.name}/app`, `${w.pub.name}/%2e%2e/${w.priv.name}/app`, 'MX-PRIV/app', 'a'.repeat(256)]) {
          const t = await fetchToken(w.base, [`repository:${name}:pull,push,delete`], out);
          assert.ok(t.token);
          assert.deepEqual(jwtPayload(t.token).access, [], name);
        }
      });

      test('hostile project names on /api/v1 (raw paths and bodies)', async () => {
        const out = basic('mx-outsider', PASSWORD);
        for (const path of [
          `/api/v1/projects/${w.pub.name}/../${w.priv.name}/members`,
          `/api/v1/projects/%2e%2e/members`,
          `/api/v1/projects/..`,
          `/api/v1/projects/${w.pub.name}%2f..%2f${w.priv.name}`,
          `/api/v1/projects/MX-PRIV`,
          `/api/v1/projects/MX-PRIV/members`,
          `/api/v1/projects/${'a'.repeat(256)}`,
        ]) {
          const res = await rawCall(w.base, 'GET', path, { authorization: out });
          // (The error body format of unmatched routes is checked in api.test.ts.)
          assert.ok([400, 404].includes(res.status), `${path}: ${res.status} ${res.text.slice(0, 200)}`);
          assert.ok(!res.text.includes('mx-projectadmin'), `${path}: leaks the private project's members`);
        }
        for (const name of ['..', '%2e%2e', 'a/../b', 'MX-NEW', 'a'.repeat(256), '']) {
          const res = await call(w.base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name } });
          assertRefusal(res, 400, 'BAD_REQUEST', `create project ${JSON.stringify(name.slice(0, 20))}`, 'name');
        }
        for (const name of ['..', 'A', 'x'.repeat(129)]) {
          const res = await call(w.base, 'POST', '/api/v1/robots', { auth: ADMIN, body: { name, level: 'project', permissions: [{ namespace: w.priv.name, access: [{ resource: 'repository', action: 'pull' }] }] } });
          assertRefusal(res, 400, 'BAD_REQUEST', `robot name ${name.slice(0, 10)}`, 'name');
        }
        for (const ns of ['..', '%2e%2e', 'MX-PRIV', `${w.pub.name}/../${w.priv.name}`, 'y'.repeat(256)]) {
          const res = await call(w.base, 'POST', '/api/v1/robots', { auth: ADMIN, body: { name: 'ok', level: 'project', permissions: [{ namespace: ns, access: [{ resource: 'repository', action: 'pull' }] }] } });
          assertRefusal(res, 400, 'BAD_REQUEST', `robot namespace ${ns.slice(0, 20)}`);
        }
      });

      test('a project robot cannot be created for a project that does not exist (it would own that name in advance)', async () => {
        const res = await call(w.base, 'POST', '/api/v1/robots', { auth: ADMIN, body: { name: 'early', level: 'project', permissions: [{ namespace: 'mx-later', access: [{ resource: 'repository', action: 'push' }] }] } });
        if (res.status === 201) {
          // Show the consequence: whoever creates mx-later later finds a robot with push already in it.
          const secret = (res.body as { secret: string }).secret;
          must(await call(w.base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'mx-later' } }), 201, 'mx-later');
          const push = await call(w.base, 'POST', '/v2/mx-later/app/blobs/uploads/', { auth: basic('robot$mx-later+early', secret) });
          assert.fail(`POST /api/v1/robots for the missing project mx-later → 201; after the project is created the robot pushes to it (POST /v2/mx-later/app/blobs/uploads/ → ${push.status})`);
        }
        assertRefusal(res, 404, 'NOT_FOUND', 'robot of a missing project', 'mx-later');
      });

      test('a cross-project mount without pull on the source falls back to an upload and links nothing', async () => {
        const mnt = 'mx-mnt';
        must(await call(w.base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: mnt } }), 201, 'mnt project');
        await createUser(w.base, 'mx-mounter');
        await addMember(w.base, mnt, 'mx-mounter', 'developer');
        const mounter = basic('mx-mounter', PASSWORD);
        const digest = sha256(baseLayer(w.priv.name));
        const target = `${mnt}/app`;
        const linked = async () => (await call(w.base, 'HEAD', `/v2/${target}/blobs/${digest}`, { auth: ADMIN })).status;
        assert.equal(await linked(), 404);

        const viaBasic = await call(w.base, 'POST', `/v2/${target}/blobs/uploads/?mount=${digest}&from=${w.priv.repo}`, { auth: mounter });
        assert.equal(viaBasic.status, 202, `Basic: ${viaBasic.status} ${viaBasic.text}`);
        assert.match(viaBasic.headers.get('location') ?? '', new RegExp(`^/v2/${target}/blobs/uploads/`));
        assert.equal(await linked(), 404, 'not linked (Basic)');

        // A client asks for pull on the source too: the token does not grant it, the mount does not happen.
        const t = await fetchToken(w.base, [`repository:${target}:pull,push`, `repository:${w.priv.repo}:pull`], mounter);
        assert.ok(t.token);
        assert.deepEqual((jwtPayload(t.token).access as { name: string }[]).map((a) => a.name), [target]);
        const viaToken = await call(w.base, 'POST', `/v2/${target}/blobs/uploads/?mount=${digest}&from=${w.priv.repo}`, { auth: bearer(t.token) });
        assert.equal(viaToken.status, 202, `token: ${viaToken.status} ${viaToken.text}`);
        // OCI 1.1 mount without `from`: Berth must not pick a source the caller cannot pull.
        const noFrom = await call(w.base, 'POST', `/v2/${target}/blobs/uploads/?mount=${digest}`, { auth: bearer(t.token) });
        assert.equal(noFrom.status, 202, `no from: ${noFrom.status}`);
        assert.equal(await linked(), 404, 'not linked (token)');
        assert.equal((await call(w.base, 'GET', `/v2/${target}/blobs/${digest}`, { auth: mounter })).status, 404, 'the mounter cannot read it');

        // Control: with pull on the source the mount happens.
        const ok = await call(w.base, 'POST', `/v2/${w.pub.name}/mounted/blobs/uploads/?mount=${digest}&from=${w.priv.repo}`, { auth: dev });
        assert.equal(ok.status, 201, `control: ${ok.status} ${ok.text}`);
      });

      test('a refused copy reveals nothing about a private source; with neither right the target refuses first', async () => {
        const out = basic('mx-outsider', PASSWORD);
        const copy = async (target: string, from: string) => {
          const ip = freshIp();
          const res = await call(w.base, 'POST', `/api/v1/projects/${target}/repositories/leak/artifacts?from=${encodeURIComponent(from)}`, { auth: out, headers: { 'x-forwarded-for': ip } });
          return { res, ip };
        };
        const ips: string[] = [];
        // The outsider may push to COPY_TARGET: an existing tag, a missing tag, a missing repository and a missing project look alike.
        const zero = `sha256:${'0'.repeat(64)}`;
        for (const [from, project] of [
          [`${w.priv.repo}:v1`, w.priv.name],
          [`${w.priv.repo}@${w.priv.digest}`, w.priv.name],
          [`${w.priv.repo}:nope`, w.priv.name],
          [`${w.priv.name}/nothing@${zero}`, w.priv.name],
          [`mx-none/app:v1`, 'mx-none'],
        ] as const) {
          const { res, ip } = await copy(COPY_TARGET, from);
          assertRefusal(res, 404, 'NOT_FOUND', `copy from ${from}`);
          assert.equal(firstError(res)?.message, `project ${project} not found`, `copy from ${from}`);
          ips.push(ip);
        }
        // Neither push on the target (visible: 403 naming it) nor pull on the source: the source is not mentioned.
        const both = await copy(w.pub.name, `${w.priv.repo}:v1`);
        assertRefusal(both.res, 403, 'FORBIDDEN', 'copy with neither right', w.pub.name);
        assert.ok(!both.res.text.includes(w.priv.name), `the refusal names only the target: ${both.res.text}`);
        ips.push(both.ip);
        assert.equal(await manifestStatus(w.base, `${COPY_TARGET}/leak`, 'v1'), 404);
        assert.equal(await manifestStatus(w.base, `${w.pub.name}/leak`, 'v1'), 404);
        const byIp = await failuresByIp(w.base);
        for (const ip of ips) assert.equal((byIp.get(ip) ?? []).filter((e) => e.actor.name === 'mx-outsider').length, 1, `refusal from ${ip} audited once`);
      });

      test('robot expiry: an expired robot is refused at once, its earlier token too', async () => {
        const r = await createRobot(w.base, w.priv.name, 'expiring', ['repository:pull'], { duration: 1 });
        const t = await fetchToken(w.base, [`repository:${w.priv.repo}:pull`], basic(r.name, r.secret));
        assert.ok(t.token);
        assert.equal((await call(w.base, 'GET', `/v2/${w.priv.repo}/tags/list`, { auth: bearer(t.token) })).status, 200);
        // The API cannot move an expiry into the past (duration is 1 to 36500 days or -1):
        const past = await call(w.base, 'PUT', `/api/v1/robots/${encodeURIComponent(r.name)}`, { auth: ADMIN, body: { duration: 0 } });
        assertRefusal(past, 400, 'BAD_REQUEST', 'duration 0', 'duration');
        // …so the test moves it through its own handle on Berth's database (the server runs in this process).
        await w.berth.db.updateTable('robots').set({ expires_at: Date.now() - 1000 }).where('name', '=', r.name).execute();
        const tagsWith = (auth: string) => call(w.base, 'GET', `/v2/${w.priv.repo}/tags/list`, { auth, headers: { 'x-forwarded-for': freshIp() } });
        // Sign-ins read the row; a token's account check is cached for at most a second.
        assertRefusal(await tagsWith(basic(r.name, r.secret)), 401, 'UNAUTHORIZED', 'expired robot, Basic');
        const fresh = await fetchToken(w.base, [`repository:${w.priv.repo}:pull`], basic(r.name, r.secret), { 'x-forwarded-for': freshIp() });
        assert.equal(fresh.res.status, 401, 'expired robot, token endpoint');
        await eventually('the earlier token is refused', async () => (await tagsWith(bearer(t.token))).status === 401, 3000);
        const got = (await call(w.base, 'GET', `/api/v1/robots/${encodeURIComponent(r.name)}`, { auth: ADMIN })).body as { expiresAt: number };
        assert.ok(got.expiresAt < Date.now());
      });

      test('anonymousPull off: anonymous callers get nothing on a public project, signed-in users get public read', async () => {
        const repo = 'ttl-pub/app';
        const anon = await call(shortTtl.url, 'GET', `/v2/${repo}/tags/list`);
        assertRefusal(anon, 401, 'UNAUTHORIZED', 'anonymous on a public project');
        const t = await fetchToken(shortTtl.url, [`repository:${repo}:pull`]);
        assert.ok(t.token);
        assert.deepEqual(jwtPayload(t.token).access, []);
        assert.equal((await call(shortTtl.url, 'GET', '/v2/_catalog')).status, 401);
        await createUser(shortTtl.url, 'someone');
        assert.equal((await call(shortTtl.url, 'GET', `/v2/${repo}/tags/list`, { auth: basic('someone', PASSWORD) })).status, 200);
      });

      test('an expired token is refused (30 s token lifetime, issued before the matrix ran)', async () => {
        const { token, exp } = shortToken;
        assert.equal(exp - Number(jwtPayload(token).iat), 30);
        const wait = exp * 1000 + 1100 - Date.now();
        if (wait > 0) await sleep(wait);
        const res = await call(shortTtl.url, 'GET', '/v2/ttl-pub/app/tags/list', { auth: bearer(token) });
        assertRefusal(res, 401, 'UNAUTHORIZED', 'expired token');
        assert.ok(res.headers.get('www-authenticate')?.startsWith('Bearer realm='));
      });
    });
  });
}
