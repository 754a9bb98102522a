/**
 * The `berth` client, run as a child process (`node src/cli/main.ts …`, a
 * throwaway BERTH_CLI_CONFIG) against a real Berth: login, projects,
 * members, users, robots, tokens, logout, exit codes and messages; and
 * `berth login --oidc` against a real OpenID provider.
 * Children run asynchronously: the server lives in this process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, basicAuth, freePort, startTestBerth, type TestBerth } from '../support/berth.ts';
import { OciClient } from '../support/oci-client.ts';
import { Browser, startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface CliOptions {
  input?: string;
  config?: string;
  env?: Record<string, string>;
}

interface Running {
  done: Promise<Run>;
  /** Resolves with the first match of `re` in stderr so far. */
  stderrMatch(re: RegExp): Promise<RegExpExecArray>;
}

/**
 * Starts `node src/cli/main.ts ARGS` with BERTH_CLI_CONFIG=`config` and
 * without the caller's BERTH_SERVER/BERTH_TOKEN. Asynchronous on purpose:
 * the server under test runs in this process.
 */
function startCli(args: string[], opts: CliOptions & { config: string }): Running {
  const env: NodeJS.ProcessEnv = { ...process.env, BERTH_CLI_CONFIG: opts.config, NO_COLOR: '1', ...opts.env };
  if (!opts.env?.BERTH_SERVER) delete env.BERTH_SERVER;
  if (!opts.env?.BERTH_TOKEN) delete env.BERTH_TOKEN;
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  child.stdin.end(opts.input ?? '');
  return {
    done,
    stderrMatch: (re) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(stderr);
          if (m) {
            child.stderr.off('data', check);
            resolve(m);
          }
        };
        child.stderr.on('data', check);
        void done.then((r) => reject(new Error(`the CLI exited ${r.code} before printing ${re}: ${r.stderr}`)));
        check();
      }),
  };
}

describe('berth CLI', () => {
  let berth: TestBerth;
  let dir: string;
  let adminConfig: string;

  /** Runs the CLI; `config` is the BERTH_CLI_CONFIG file (the admin's by default). */
  const cli = (args: string[], opts: CliOptions = {}): Promise<Run> => startCli(args, { ...opts, config: opts.config ?? adminConfig }).done;

  /** Runs the CLI and insists on success. */
  async function ok(args: string[], opts: CliOptions = {}): Promise<Run> {
    const r = await cli(args, opts);
    assert.equal(r.code, 0, `berth ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r;
  }

  const api = (p: string, auth: string, init: RequestInit = {}) => fetch(`${berth.url}/api/v1${p}`, { ...init, headers: { authorization: auth, ...init.headers } });
  const storedToken = async (file = adminConfig) => (JSON.parse(await readFile(file, 'utf8')) as { token?: string }).token;

  before(async () => {
    berth = await startTestBerth();
    dir = await mkdtemp(path.join(os.tmpdir(), 'berth-cli-test-'));
    adminConfig = path.join(dir, 'admin', 'config.json');
  });
  after(async () => {
    await berth?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('login --password-stdin stores a token in a 0600 file, never the password', async () => {
    const r = await ok(['login', '--server', berth.url, '--username', 'admin', '--password-stdin'], { input: `${ADMIN_PASSWORD}\n` });
    assert.match(r.stdout, /Logged in to .* as admin/);
    const info = await stat(adminConfig);
    assert.equal(info.mode & 0o777, 0o600);
    const text = await readFile(adminConfig, 'utf8');
    assert.ok(!text.includes(ADMIN_PASSWORD), 'the password is not stored');
    const config = JSON.parse(text) as Record<string, string>;
    assert.deepEqual(Object.keys(config).sort(), ['server', 'token', 'username']);
    assert.equal(config.server, berth.url);
    assert.equal(config.username, 'admin');
    assert.match(config.token!, /^berth_pat_[0-9a-f]{32}_/);
    assert.equal((await api('/users/me', `Bearer ${config.token}`)).status, 200);
    assert.ok(!r.stdout.includes(config.token!) && !r.stderr.includes(config.token!), 'the token is not printed');
  });

  test('whoami: table and JSON', async () => {
    const table = await ok(['whoami']);
    assert.match(table.stdout, /^username\s+admin$/m);
    assert.match(table.stdout, /^admin\s+yes$/m);
    const json = JSON.parse((await ok(['whoami', '-o', 'json'])).stdout) as { username: string; admin: boolean };
    assert.equal(json.username, 'admin');
    assert.equal(json.admin, true);
  });

  test('project create, list (aligned table, exact JSON), get, update', async () => {
    assert.match((await ok(['project', 'create', 'team'])).stdout, /Created private project team/);
    await ok(['project', 'create', 'library', '--public']);
    const table = (await ok(['project', 'list'])).stdout.trimEnd().split('\n');
    assert.match(table[0]!, /^NAME\s+VISIBILITY\s+REPOSITORIES\s+MEMBERS\s+CREATED BY\s+CREATED$/);
    assert.equal(table.length, 3);
    const column = table[0]!.indexOf('VISIBILITY');
    assert.ok(table[1]!.startsWith('library') && table[1]!.slice(column).startsWith('public'));
    assert.ok(table[2]!.startsWith('team') && table[2]!.slice(column).startsWith('private'));
    // The API's repository_count and member_count (a system administrator who creates a project does not become a member).
    assert.match(table[2]!, /^team\s+private\s+0\s+0\s+admin\s/);
    const json = JSON.parse((await ok(['project', 'list', '--output', 'json'])).stdout) as unknown;
    const direct: unknown = await (await api('/projects?page=1&page_size=100', basicAuth())).json();
    assert.deepEqual(json, direct);
    // Global options may come first too.
    const got = JSON.parse((await ok(['-o', 'json', 'project', 'get', 'team'])).stdout) as { name: string; public: boolean };
    assert.equal(got.name, 'team');
    assert.equal(got.public, false);
    const detail = (await ok(['project', 'get', 'team'])).stdout;
    assert.match(detail, /^repositories\s+0$/m);
    assert.match(detail, /^members\s+0$/m);
    await ok(['project', 'update', 'library', '--private']);
    assert.equal(((await (await api('/projects/library', basicAuth())).json()) as { public: boolean }).public, false);
    const settings = (await ok(['project', 'update', 'library', '--auto-scan', 'on', '--auto-sbom', 'on'])).stdout;
    assert.match(settings, /scan on push on, SBOM after scan on/);
    const meta = ((await (await api('/projects/library', basicAuth())).json()) as { metadata: Record<string, string> }).metadata;
    assert.deepEqual([meta.auto_scan, meta.auto_sbom_generation], ['true', 'true']);
    assert.match((await ok(['project', 'get', 'library'])).stdout, /^SBOM after scan\s+on$/m);
    await ok(['project', 'update', 'library', '--auto-sbom', 'off']);
    assert.equal(((await (await api('/projects/library', basicAuth())).json()) as { metadata: Record<string, string> }).metadata.auto_sbom_generation, 'false');
  });

  test('user create, list, get, passwd (reset and own change)', async () => {
    await ok(['user', 'create', 'alice', '--email', 'alice@example.com', '--password-stdin'], { input: 'Alice-Passw0rd\n' });
    const list = (await ok(['user', 'list'])).stdout;
    assert.match(list, /^USERNAME\s+EMAIL\s+ADMIN/);
    assert.match(list, /^alice\s+alice@example\.com\s+no\s+local/m);
    const alice = JSON.parse((await ok(['user', 'get', 'alice', '-o', 'json'])).stdout) as { username: string; email: string };
    assert.equal(alice.email, 'alice@example.com');

    // An administrator resets alice's password.
    await ok(['user', 'passwd', 'alice', '--password-stdin'], { input: 'Alice-Reset-1\n' });
    assert.equal((await api('/users/me', basicAuth('alice', 'Alice-Reset-1'))).status, 200);

    // Alice logs in with her own config and changes her password with the old one.
    const aliceConfig = path.join(dir, 'alice.json');
    await ok(['login', '--server', berth.url, '-u', 'alice', '--password-stdin'], { input: 'Alice-Reset-1\n', config: aliceConfig });
    const wrong = await cli(['user', 'passwd', '--password-stdin'], { input: 'not-her-password\nAlice-Own-2\n', config: aliceConfig });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^berth: /);
    await ok(['user', 'passwd', '--password-stdin'], { input: 'Alice-Reset-1\nAlice-Own-2\n', config: aliceConfig });
    assert.equal((await api('/users/me', basicAuth('alice', 'Alice-Own-2'))).status, 200);
    assert.equal((await api('/users/me', basicAuth('alice', 'Alice-Reset-1'))).status, 401);
    // Her CLI token keeps working after the change.
    assert.equal((await ok(['whoami', '-o', 'json'], { config: aliceConfig })).stdout.includes('"alice"'), true);
  });

  test('member add, list, update, remove', async () => {
    assert.match((await ok(['member', 'add', 'team', 'alice', '--role', 'developer'])).stdout, /Added user alice to team as developer/);
    await ok(['member', 'add', 'team', 'platform', '--group', '--role', 'guest']);
    let members = JSON.parse((await ok(['member', 'list', 'team', '-o', 'json'])).stdout) as { kind: string; name: string; role: string }[];
    assert.deepEqual(
      members.map((m) => [m.kind, m.name, m.role]).sort(),
      [
        ['group', 'platform', 'guest'],
        ['user', 'alice', 'developer'],
      ],
    );
    await ok(['member', 'update', 'team', 'alice', '--role', 'maintainer']);
    assert.match((await ok(['member', 'list', 'team'])).stdout, /^user\s+alice\s+maintainer\s/m);
    await ok(['member', 'remove', 'team', 'alice']);
    await ok(['member', 'remove', 'team', 'platform', '--group']);
    members = JSON.parse((await ok(['member', 'list', 'team', '-o', 'json'])).stdout) as typeof members;
    assert.deepEqual(members, []);
  });

  test('robot create prints the secret once; it works as registry Basic auth until disabled', async () => {
    await new OciClient(berth.url, basicAuth()).pushImage('team/app', 'v1');
    const created = await ok(['robot', 'create', 'ci', '--project', 'team', '--access', 'repository:pull,repository:push', '--duration', '-1', '--description', 'CI pipeline']);
    const secret = /^secret\s+(\S+)$/m.exec(created.stdout)?.[1];
    assert.ok(secret, created.stdout);
    assert.match(created.stdout, /^name\s+robot\$team\+ci$/m);
    assert.match(created.stdout, /^expires\s+never$/m);
    assert.equal((created.stdout + created.stderr).split(secret).length, 2, 'the secret appears exactly once');
    assert.match(created.stderr, /only once/);

    const tags = (password: string) => fetch(`${berth.url}/v2/team/app/tags/list`, { headers: { authorization: basicAuth('robot$team+ci', password) } });
    const res = await tags(secret);
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { tags: string[] }).tags, ['v1']);

    // The secret is never shown again.
    for (const args of [['robot', 'get', 'ci', '--project', 'team'], ['robot', 'list', '--project', 'team'], ['robot', 'list', '-o', 'json'], ['robot', 'get', 'robot$team+ci', '-o', 'json']]) {
      const r = await ok(args);
      assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), `berth ${args.join(' ')} shows no secret`);
    }
    assert.match((await ok(['robot', 'list', '--project', 'team'])).stdout, /^robot\$team\+ci\s+project\s+active\s+never\s+team: repository:pull,repository:push\s+CI pipeline$/m);

    await ok(['robot', 'disable', 'ci', '--project', 'team']);
    assert.equal((await tags(secret)).status, 401);
    assert.match((await ok(['robot', 'get', 'robot$team+ci'])).stdout, /^status\s+disabled$/m);
    await ok(['robot', 'enable', 'ci', '--project', 'team']);
    assert.equal((await tags(secret)).status, 200);

    const refreshed = await ok(['robot', 'refresh', 'ci', '-p', 'team']);
    const fresh = /^secret\s+(\S+)$/m.exec(refreshed.stdout)?.[1];
    assert.ok(fresh && fresh !== secret);
    assert.equal((await tags(secret)).status, 401);
    assert.equal((await tags(fresh)).status, 200);
  });

  test('system robot over every project, then delete', async () => {
    const created = await ok(['robot', 'create', 'mirror', '--system', '--namespace', '*', '--access', 'repository:pull', '-o', 'json']);
    const robot = JSON.parse(created.stdout) as { name: string; level: string; secret: string; permissions: { namespace: string }[] };
    assert.equal(robot.name, 'robot$mirror');
    assert.equal(robot.level, 'system');
    assert.deepEqual(robot.permissions.map((p) => p.namespace), ['*']);
    const pull = () => fetch(`${berth.url}/v2/team/app/tags/list`, { headers: { authorization: basicAuth('robot$mirror', robot.secret) } });
    assert.equal((await pull()).status, 200);
    await ok(['robot', 'delete', 'robot$mirror']);
    assert.equal((await pull()).status, 401);
  });

  test('token create and revoke', async () => {
    const created = await ok(['token', 'create', 'laptop']);
    const token = /^token\s+(berth_pat_\S+)$/m.exec(created.stdout)?.[1];
    const id = /^id\s+([0-9a-f]{32})$/m.exec(created.stdout)?.[1];
    assert.ok(token && id, created.stdout);
    assert.match(created.stderr, /only once/);
    assert.equal((await api('/users/me', `Bearer ${token}`)).status, 200);
    const list = (await ok(['token', 'list'])).stdout;
    assert.match(list, new RegExp(`^${id}\\s+laptop\\s`, 'm'));
    assert.match(list, /this CLI$/m);
    assert.ok(!list.includes(token));
    await ok(['token', 'revoke', id]);
    assert.equal((await api('/users/me', `Bearer ${token}`)).status, 401);
    assert.ok(!(await ok(['token', 'list'])).stdout.includes(id));
  });

  test('settings get and set', async () => {
    assert.match((await ok(['settings', 'get'])).stdout, /^projectCreation\s+adminOnly$/m);
    await ok(['settings', 'set', 'projectCreation=everyone']);
    assert.equal((await ok(['settings', 'get', 'projectCreation'])).stdout, 'everyone\n');
    assert.deepEqual(JSON.parse((await ok(['settings', 'get', '-o', 'json'])).stdout), { projectCreation: 'everyone' });
    await ok(['settings', 'set', 'projectCreation=adminOnly']);
  });

  test('audit list filters by project, action and actor', async () => {
    const entries = JSON.parse((await ok(['audit', 'list', '--project', 'team', '--action', 'create', '--from', '1h', '-o', 'json'])).stdout) as { action: string; project: string | null; resource: string }[];
    assert.ok(entries.length > 0);
    assert.ok(entries.every((e) => e.action === 'create'));
    assert.ok(entries.some((e) => e.resource === 'robot$team+ci'));
    const table = (await ok(['audit', 'list', '--actor', 'admin', '--resource-type', 'project', '--page-size', '1'])).stdout;
    assert.match(table, /^TIME\s+ACTOR\s+ACTION\s+TYPE\s+RESOURCE\s+OUTCOME\s+SOURCE IP$/m);
    assert.equal(table.trimEnd().split('\n').length, 2);
  });

  test('a reader that closes the pipe early (| head) ends the CLI quietly, no EPIPE stack trace', async () => {
    for (const args of [['audit', 'list'], ['project', 'list', '-o', 'json']]) {
      const env: NodeJS.ProcessEnv = { ...process.env, BERTH_CLI_CONFIG: adminConfig, NO_COLOR: '1' };
      delete env.BERTH_SERVER;
      delete env.BERTH_TOKEN;
      const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      // The reader goes away before the CLI has written anything: its first write meets a closed pipe.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      assert.equal(stderr, '', `berth ${args.join(' ')}: nothing on stderr`);
      assert.equal(code, 0, `berth ${args.join(' ')} exit code`);
    }
  });

  test('cluster add: --api-server is the cluster, the global --server stays Berth', async () => {
    // BERTH_SERVER points nowhere: only the global --server can reach Berth.
    const token = await storedToken();
    const env = { BERTH_SERVER: 'http://127.0.0.1:9', BERTH_TOKEN: token! };
    const added = await cli(['--server', berth.url, 'cluster', 'add', 'staging', '--api-server', 'https://staging.example.com:6443', '--token-stdin'], { input: 'kube-token\n', env });
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Added cluster staging \(https:\/\/staging\.example\.com:6443, token\)/);
    const after = await cli(['cluster', 'add', 'staging2', '--api-server', 'https://staging2.example.com:6443', '--token-stdin', '--server', berth.url], { input: 'kube-token\n', env });
    assert.equal(after.code, 0, `--server after the command: ${after.stderr}`);
    // The old spelling no longer names the cluster: a usage error before anything is sent anywhere.
    const old = await cli(['cluster', 'add', 'prod', '--server', 'https://prod.example.com:6443', '--token-stdin'], { input: 'kube-token\n' });
    assert.equal(old.code, 2);
    assert.match(old.stderr, /go with --api-server/);
    const list = await ok(['cluster', 'list']);
    assert.match(list.stdout, /staging\s+https:\/\/staging\.example\.com:6443/);
    assert.ok(!list.stdout.includes('prod.example.com'));
    await ok(['cluster', 'rm', 'staging']);
    await ok(['cluster', 'rm', 'staging2']);
  });

  /** A project whose delivery policy allows any repository to the cluster `deliver-target` (registered once). */
  async function deliveryProject(name: string): Promise<void> {
    if ((await cli(['cluster', 'list', '-o', 'json'])).stdout.includes('"deliver-target"') === false) {
      await ok(['cluster', 'add', 'deliver-target', '--api-server', 'https://deliver.example.com:6443', '--token-stdin'], { input: 'kube-token\n' });
    }
    await ok(['project', 'create', name]);
    const policy = path.join(dir, `${name}-policy.yaml`);
    await writeFile(policy, `sourceRepos: ["*"]\ndestinations:\n- { name: deliver-target, namespace: "*" }\n`);
    await ok(['project', 'delivery', 'set', name, '-f', policy]);
  }

  test('app create refuses a repository URL that gitrepo add refuses, in the CLI and in the API', async () => {
    await deliveryProject('urls');
    const bad = 'https://bot:hunter2@git.example.com/team/apps.git';
    const repoAdd = await cli(['gitrepo', 'add', bad]);
    assert.equal(repoAdd.code, 1);
    assert.match(repoAdd.stderr, /must not contain a password/);
    const create = await cli(['app', 'create', 'leaky', '-p', 'urls', '--repo', bad, '--dest-name', 'deliver-target', '--dest-namespace', 'x']);
    assert.equal(create.code, 2, create.stderr);
    assert.match(create.stderr, /--repo: .*must not contain a password/);
    assert.ok(!create.stderr.includes('hunter2'), 'the password is not echoed');
    // The server checks too (a file, another client, the API).
    const file = path.join(dir, 'leaky.yaml');
    await writeFile(file, `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: leaky }\nspec:\n  project: urls\n  source: { repoURL: "ext::git-upload-pack%20/srv/x" }\n  destination: { name: deliver-target, namespace: x }\n`);
    const fromFile = await cli(['app', 'create', '-f', file]);
    assert.equal(fromFile.code, 1, fromFile.stderr);
    assert.match(fromFile.stderr, /spec\.source\.repoURL: .*transport helpers/);
    const token = await storedToken();
    const viaApi = await api('/applications', `Bearer ${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'leaky' }, spec: { project: 'urls', source: { repoURL: bad }, destination: { name: 'deliver-target', namespace: 'x' } } }),
    });
    assert.equal(viaApi.status, 400);
    assert.match(await viaApi.text(), /spec\.source\.repoURL: .*must not contain a password/);
    assert.equal((await api('/applications/leaky', `Bearer ${token}`)).status, 404, 'nothing was created');
  });

  test('gitrepo list shows the scheme each repository uses: http, https, ssh', async () => {
    await ok(['gitrepo', 'add', 'http://git.internal.example/team/plain.git']);
    await ok(['gitrepo', 'add', 'https://git.example.com/team/secure.git']);
    const list = await ok(['gitrepo', 'list']);
    assert.match(list.stdout, /^http:\/\/git\.internal\.example\/team\/plain\.git\s+http\s/m);
    assert.match(list.stdout, /^https:\/\/git\.example\.com\/team\/secure\.git\s+https\s/m);
    const json = JSON.parse((await ok(['gitrepo', 'list', '-o', 'json'])).stdout) as { url: string; type: string }[];
    assert.deepEqual(json.map((r) => [r.url, r.type]).sort(), [['http://git.internal.example/team/plain.git', 'http'], ['https://git.example.com/team/secure.git', 'https']]);
    await ok(['gitrepo', 'remove', 'http://git.internal.example/team/plain.git']);
    await ok(['gitrepo', 'remove', 'https://git.example.com/team/secure.git']);
  });

  test('app create takes argocd\'s Kustomize and Helm flags', async () => {
    await deliveryProject('tools');
    const common = ['-p', 'tools', '--repo', 'https://git.example.com/team/apps.git', '--dest-name', 'deliver-target', '--dest-namespace', 'x'];
    await ok(['app', 'create', 'kust', ...common, '--path', 'web', '--kustomize-image', 'web=registry.example.com/team/web:1.4', '--kustomize-image', 'redis:7', '--nameprefix', 'prod-', '--namesuffix', '-eu']);
    const kust = JSON.parse((await ok(['app', 'get', 'kust', '-o', 'json'])).stdout) as { spec: { source: Record<string, unknown> } };
    assert.deepEqual(kust.spec.source.kustomize, { images: ['web=registry.example.com/team/web:1.4', 'redis:7'], namePrefix: 'prod-', nameSuffix: '-eu', commonLabels: {}, commonAnnotations: {} });
    await ok(['app', 'create', 'chart', ...common, '--path', 'charts/api', '--values', 'values-prod.yaml', '--values', 'values-eu.yaml', '--helm-set', 'replicas=3', '--helm-set', 'list={a,b}', '--helm-set-string', 'image.tag=010', '--release-name', 'api']);
    const chart = JSON.parse((await ok(['app', 'get', 'chart', '-o', 'json'])).stdout) as { spec: { source: Record<string, unknown> } };
    assert.deepEqual(chart.spec.source.helm, {
      valueFiles: ['values-prod.yaml', 'values-eu.yaml'],
      parameters: [
        { name: 'replicas', value: '3', forceString: false },
        { name: 'list', value: '{a,b}', forceString: false },
        { name: 'image.tag', value: '010', forceString: true },
      ],
      releaseName: 'api',
    });
    const mixed = await cli(['app', 'create', 'mixed', ...common, '--nameprefix', 'x-', '--helm-set', 'a=b']);
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /do not go together/);
    const badSet = await cli(['app', 'create', 'badset', ...common, '--helm-set', 'novalue']);
    assert.equal(badSet.code, 2);
    assert.match(badSet.stderr, /--helm-set "novalue": use NAME=VALUE/);
    await ok(['app', 'delete', 'kust', '--no-cascade']);
    await ok(['app', 'delete', 'chart', '--no-cascade']);
  });

  test('app apply: an invalid document means nothing is applied, and says which and why', async () => {
    await deliveryProject('applied');
    const app = (name: string, extra = '', repo = 'https://git.example.com/team/apps.git', cluster = 'deliver-target') =>
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: ${name} }\nspec:\n  project: applied\n  source: { repoURL: "${repo}", path: ${name} }\n  destination: { name: ${cluster}, namespace: ${name} }\n${extra}`;
    const file = path.join(dir, 'mixed-apps.yaml');
    await writeFile(file, [app('fine'), app('typo', '  syncPolicy: { automated: { prune: maybe } }\n'), app('leaky', '', 'https://bot:hunter2@git.example.com/team/apps.git')].join('---\n'));
    const r = await cli(['app', 'apply', '-f', file]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /mixed-apps\.yaml \(document 2\): spec\.syncPolicy\.automated\.prune: .*boolean/);
    assert.match(r.stderr, /mixed-apps\.yaml \(document 3\): spec\.source\.repoURL: .*must not contain a password/);
    assert.match(r.stderr, /nothing was applied: 2 documents are invalid \(app apply applies every document or none/);
    assert.equal(r.stdout, '');
    assert.equal((await cli(['app', 'get', 'fine'])).code, 1, 'the valid document was not applied either');

    // A refusal by the server stops the apply and says what was applied before it.
    const refused = path.join(dir, 'refused-apps.yaml');
    await writeFile(refused, [app('first'), app('mars', '', undefined, 'mars'), app('third')].join('---\n'));
    const s = await cli(['app', 'apply', '-f', refused]);
    assert.equal(s.code, 1, s.stderr);
    assert.equal(s.stdout, 'application/first created\n');
    assert.match(s.stderr, /refused-apps\.yaml \(document 2\): application\/mars: .*mars is not a registered cluster/);
    assert.match(s.stderr, /stopped there: 1 applied \(listed above\), 2 not applied/);
    await ok(['app', 'delete', 'first', '--no-cascade']);
  });

  test('BERTH_SERVER and BERTH_TOKEN override the config file', async () => {
    const token = await storedToken();
    const r = await ok(['whoami', '-o', 'json'], { config: path.join(dir, 'none.json'), env: { BERTH_SERVER: berth.url, BERTH_TOKEN: token! } });
    assert.equal((JSON.parse(r.stdout) as { username: string }).username, 'admin');
  });

  test('usage errors exit 2 with the usage', async () => {
    const cases: [string[], RegExp][] = [
      [['project', 'create'], /missing arguments/],
      [['project', 'list', '--bogus'], /unknown option '--bogus'/],
      [['member', 'add', 'team', 'bob', '--role', 'superuser'], /unknown role "superuser"/],
      [['robot', 'create', 'x', '--project', 'team'], /--access/],
      [['robot', 'create', 'x', '--project', 'team', '--system', '--access', 'repository:pull'], /--project PROJECT or --system/],
      [['robot', 'create', 'x', '--project', 'team', '--access', 'repository:fly'], /unknown permission/],
      [['project', 'list', '-o', 'yaml'], /--output is table or json/],
      [['project', 'update', 'team'], /nothing to change/],
      [['project', 'update', 'team', '--auto-scan', 'yes'], /--auto-scan takes on or off/],
      [['user', 'list', '--page', 'zero'], /--page is a whole number/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, `berth ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^berth: /);
      assert.match(r.stderr, message);
      assert.match(r.stderr, new RegExp(`Usage: berth ${args[0]} ${args[1]}`));
      assert.equal(r.stdout, '');
    }
    for (const args of [['frobnicate'], ['project'], ['project', 'frobnicate']]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `berth ${args.join(' ')}`);
      assert.match(r.stderr, /^berth: (unknown|missing) command/);
    }
  });

  test('--help on every command exits 0 with usage and examples', async () => {
    const commands = [
      'login', 'logout', 'whoami',
      'user list', 'user get', 'user create', 'user update', 'user delete', 'user passwd',
      'token list', 'token create', 'token revoke',
      'project create', 'project list', 'project get', 'project update', 'project delete',
      'member add', 'member list', 'member update', 'member remove',
      'robot create', 'robot list', 'robot get', 'robot refresh', 'robot disable', 'robot enable', 'robot delete',
      'settings get', 'settings set', 'audit list',
    ];
    for (let i = 0; i < commands.length; i += 4) {
      await Promise.all(
        commands.slice(i, i + 4).map(async (command) => {
          const r = await ok([...command.split(' '), '--help']);
          assert.match(r.stdout, new RegExp(`Usage:\\n  berth ${command}`), command);
          assert.match(r.stdout, /Examples:\n {2}berth /, command);
        }),
      );
    }
    assert.match((await ok(['robot', '--help'])).stdout, /berth robot create NAME/);
    assert.match((await ok(['help'])).stdout, /berth serve/);
  });

  test('API errors exit 1 with the API message', async () => {
    const missing = await cli(['project', 'get', 'nothing-here']);
    assert.equal(missing.code, 1);
    const expected = ((await (await api('/projects/nothing-here', basicAuth())).json()) as { errors: { message: string }[] }).errors[0]!.message;
    assert.equal(missing.stderr, `berth: ${expected}\n`);
    assert.equal(missing.stdout, '');
    const duplicate = await cli(['user', 'create', 'alice', '--password-stdin'], { input: 'Another-Passw0rd\n' });
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /^berth: .*alice/);
    const weak = await cli(['user', 'create', 'bob', '--password-stdin'], { input: 'short\n' });
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /^berth: password must be/);
  });

  test('logout revokes the token on the server and forgets it', async () => {
    const token = await storedToken();
    assert.ok(token);
    assert.equal((await api('/users/me', `Bearer ${token}`)).status, 200);
    assert.match((await ok(['logout'])).stdout, /Logged out/);
    assert.equal((await api('/users/me', `Bearer ${token}`)).status, 401);
    assert.equal(await storedToken(), undefined);
    const info = await stat(adminConfig);
    assert.equal(info.mode & 0o777, 0o600);
    const whoami = await cli(['whoami']);
    assert.equal(whoami.code, 1);
    assert.match(whoami.stderr, /^berth: not logged in/);
    // Logging in again remembers the server and the user name.
    await ok(['login', '--password-stdin'], { input: `${ADMIN_PASSWORD}\n` });
    assert.match((await ok(['whoami'])).stdout, /^username\s+admin$/m);
  });

  test('login --oidc reports a server without OIDC', async () => {
    const r = await cli(['login', '--oidc', '--server', berth.url], { config: path.join(dir, 'no-oidc.json') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^berth: OIDC sign-in is not configured on this server\n/);
  });
});

describe('berth login --oidc', () => {
  const CLIENT_ID = 'berth';
  const CLIENT_SECRET = 'berth-client-secret';
  let provider: TestOidcProvider;
  let berth: TestBerth;
  let dir: string;
  /** startTestBerth's `url` names its own port, not the BERTH_LISTEN given here. */
  let server: string;

  before(async () => {
    const port = await freePort();
    server = `http://127.0.0.1:${port}`;
    dir = await mkdtemp(path.join(os.tmpdir(), 'berth-cli-oidc-'));
    provider = await startOidcProvider({
      clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [`http://127.0.0.1:${port}/api/v1/auth/oidc/callback`] }],
      accounts: [{ login: 'u-olivia', claims: { preferred_username: 'olivia', email: 'olivia@example.com', groups: ['devs'] } }],
    });
    berth = await startTestBerth({
      BERTH_LISTEN: `127.0.0.1:${port}`,
      BERTH_DATA_DIR: path.join(dir, 'data'),
      BERTH_OIDC_ISSUER: provider.issuer,
      BERTH_OIDC_CLIENT_ID: CLIENT_ID,
      BERTH_OIDC_CLIENT_SECRET: CLIENT_SECRET,
    });
  });
  after(async () => {
    await berth?.stop();
    await provider?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('prints the URL, polls until the browser sign-in completes, stores the token; logout revokes it', async () => {
    const config = path.join(dir, 'cli', 'config.json');
    const login = startCli(['login', '--oidc', '--server', server], { config });
    const url = (await login.stderrMatch(/^ {2}(http\S+)$/m))[1]!;
    assert.ok(url.startsWith(`${berth.config.baseUrl}/api/v1/auth/oidc/login?cli=`), url);

    const browser = new Browser();
    const callbackPrefix = `${berth.config.baseUrl}/api/v1/auth/oidc/callback`;
    const reached = await browser.navigate(url, { stopAt: callbackPrefix, login: 'u-olivia' });
    assert.ok(reached.url.startsWith(callbackPrefix), `stopped at ${reached.url}`);
    assert.equal((await browser.fetch(reached.url)).status, 200);

    const r = await login.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Logged in to .* as olivia/);
    const stored = JSON.parse(await readFile(config, 'utf8')) as { server: string; username: string; token: string };
    assert.equal((await stat(config)).mode & 0o777, 0o600);
    assert.equal(stored.server, server);
    assert.equal(stored.username, 'olivia');
    assert.ok(!r.stdout.includes(stored.token) && !r.stderr.includes(stored.token), 'the token is not printed');
    const me = await fetch(`${server}/api/v1/users/me`, { headers: { authorization: `Bearer ${stored.token}` } });
    assert.equal(((await me.json()) as { username: string }).username, 'olivia');

    const whoami = await startCli(['whoami'], { config }).done;
    assert.match(whoami.stdout, /^source\s+oidc$/m);
    assert.equal((await startCli(['logout'], { config }).done).code, 0);
    assert.equal((await fetch(`${server}/api/v1/users/me`, { headers: { authorization: `Bearer ${stored.token}` } })).status, 401);
  });
});
