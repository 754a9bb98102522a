/**
 * A real Git server for tests: bare repositories in a temporary directory,
 * served over smart HTTP by `git http-backend` (CGI, run per request from a
 * node:http server on 127.0.0.1), with optional Basic authentication.
 *
 *   const git = await startGitServer({ username: 'alice', password: 's3cret' });
 *   const first = await git.createRepo('apps', { 'guestbook/deploy.yaml': '...' });
 *   const second = await git.commit('apps', { 'guestbook/deploy.yaml': '...' }, 'bump', { tag: 'v2' });
 *   git.url('apps')  // http://127.0.0.1:PORT/apps.git
 *   git.setAvailable(false)  // every request answers 503 until set back
 *   await git.stop();
 *
 * Repositories get a `main` branch (HEAD → main). Commits are made with
 * plumbing (no working copy), one at a time per repository, with a fixed
 * author and the test process's clock.
 */
import { spawn } from 'node:child_process';
import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface GitServerOptions {
  /** With username and password set, every request needs Basic auth. */
  username?: string;
  password?: string;
}

export interface CommitOptions {
  /** Branch to commit to (default main); a new branch starts from main. */
  branch?: string;
  /** Also point this tag at the new commit. */
  tag?: string;
  /** Make `tag` an annotated tag object (default: lightweight). */
  annotated?: boolean;
  /** Git file modes by path: '100755' executable, '120000' symlink (content = target). */
  modes?: Record<string, '100644' | '100755' | '120000'>;
}

export interface GitServer {
  /** http://127.0.0.1:PORT/<repo>.git */
  url(repo: string): string;
  /** Creates a bare repository with one commit on main holding `files`; returns its SHA. */
  createRepo(name: string, files: Record<string, string>, message?: string): Promise<string>;
  /** Commits changes (null deletes a file) on top of the branch; returns the new SHA. */
  commit(name: string, changes: Record<string, string | null>, message?: string, options?: CommitOptions): Promise<string>;
  /** Runs git in the bare repository (e.g. to delete a branch); returns stdout. */
  git(name: string, args: string[]): Promise<string>;
  /** false: every request answers 503 (a repository "unreachable"); true serves again. */
  setAvailable(available: boolean): void;
  /** Delays every response by this many milliseconds (0 = none). */
  setLatency(ms: number): void;
  /** Path of the bare repository on disk. */
  dir(name: string): string;
  /** HTTP requests received so far (including refused ones). */
  readonly requests: number;
  /** Response body bytes sent so far, to assert that fetches are incremental. */
  readonly bytesSent: number;
  stop(): Promise<void>;
}

const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;
const GIT_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  LANG: 'C',
  GIT_AUTHOR_NAME: 'Berth Test',
  GIT_AUTHOR_EMAIL: 'test@berth.invalid',
  GIT_COMMITTER_NAME: 'Berth Test',
  GIT_COMMITTER_EMAIL: 'test@berth.invalid',
};

function run(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: options.cwd, env: { ...GIT_ENV, HOME: os.tmpdir(), ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdin.on('error', () => {}); // git may exit before reading its input
    child.stdin.end(options.input ?? '');
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`git ${args.join(' ')}: exit ${code}: ${err.trim()}`))));
  });
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-git-server-'));
  const needAuth = options.username !== undefined && options.password !== undefined;
  let available = true;
  let latencyMs = 0;
  let requests = 0;
  let bytesSent = 0;
  const children = new Set<ReturnType<typeof spawn>>();
  const queues = new Map<string, Promise<unknown>>();

  const repoDir = (name: string) => {
    if (!REPO_NAME.test(name) || name.split('/').includes('..')) throw new Error(`bad repository name ${JSON.stringify(name)}`);
    return path.join(root, `${name}.git`);
  };

  const authorized = (req: http.IncomingMessage): string | undefined => {
    const header = req.headers.authorization ?? '';
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
    if (!m) return undefined;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const user = decoded.slice(0, colon);
    const pass = decoded.slice(colon + 1);
    const okUser = sameSecret(user, options.username!);
    const okPass = sameSecret(pass, options.password!);
    return okUser && okPass ? user : undefined;
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    requests++;
    if (!available) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('repository server unavailable\n');
      req.resume();
      return;
    }
    let remoteUser = '';
    if (needAuth) {
      const user = authorized(req);
      if (user === undefined) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="berth-test-git"' }).end('authentication required\n');
        req.resume();
        return;
      }
      remoteUser = user;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const env: Record<string, string> = {
      ...GIT_ENV,
      HOME: root,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      REMOTE_USER: remoteUser,
    };
    if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = req.headers['content-length'];
    if (req.headers['content-encoding'] !== undefined) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
    if (req.headers['git-protocol'] !== undefined) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    child.on('close', () => children.delete(child));
    child.on('error', () => {
      if (!res.headersSent) res.writeHead(500).end();
    });
    child.stdin.on('error', () => {});
    req.pipe(child.stdin);
    child.stderr.resume();

    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        bytesSent += chunk.length;
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      let end = head.indexOf('\r\n\r\n');
      let sep = 4;
      if (end < 0) {
        end = head.indexOf('\n\n');
        sep = 2;
      }
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      const rest = head.subarray(end + sep);
      bytesSent += rest.length;
      if (rest.length > 0) res.write(rest);
    });
    child.stdout.on('end', () => {
      if (!headersDone && !res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end();
    });
  };

  const server = http.createServer((req, res) => {
    if (latencyMs > 0) setTimeout(() => handle(req, res), latencyMs);
    else handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  /** Serializes operations on one repository. */
  const serial = <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const prev = queues.get(name) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    queues.set(
      name,
      next.catch(() => {}),
    );
    return next;
  };

  const commitIn = async (name: string, changes: Record<string, string | null>, message: string, opts: CommitOptions): Promise<string> => {
    const gitDir = repoDir(name);
    const branch = opts.branch ?? 'main';
    const g = (args: string[], extra: { env?: Record<string, string>; input?: string } = {}) => run(['--git-dir', gitDir, ...args], extra);
    const revParse = async (ref: string) => (await g(['rev-parse', '--verify', '-q', ref]).catch(() => '')).trim() || undefined;
    const parent = (await revParse(`refs/heads/${branch}`)) ?? (await revParse('refs/heads/main'));
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-git-index-'));
    try {
      const env = { GIT_INDEX_FILE: path.join(tmp, 'index') };
      if (parent) await g(['read-tree', parent], { env });
      let indexInfo = '';
      for (const [file, content] of Object.entries(changes)) {
        if (/[\n\t\0]/.test(file) || file.startsWith('/') || file.split('/').includes('..')) throw new Error(`bad file name ${JSON.stringify(file)}`);
        if (content === null) {
          indexInfo += `0 ${'0'.repeat(40)}\t${file}\n`;
        } else {
          const blob = (await g(['hash-object', '-w', '--stdin'], { input: content })).trim();
          indexInfo += `${opts.modes?.[file] ?? '100644'} ${blob}\t${file}\n`;
        }
      }
      await g(['update-index', '--index-info'], { env, input: indexInfo });
      const tree = (await g(['write-tree'], { env })).trim();
      const commit = (await g(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message])).trim();
      await g(['update-ref', `refs/heads/${branch}`, commit]);
      if (opts.tag) {
        if (opts.annotated) await g(['tag', '-f', '-a', '-m', `tag ${opts.tag}`, opts.tag, commit]);
        else await g(['update-ref', `refs/tags/${opts.tag}`, commit]);
      }
      return commit;
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  };

  return {
    url: (repo) => {
      repoDir(repo);
      return `http://127.0.0.1:${port}/${repo}.git`;
    },
    createRepo: (name, files, message = 'initial commit') =>
      serial(name, async () => {
        const dir = repoDir(name);
        await run(['init', '--bare', '--quiet', '--initial-branch=main', dir]);
        return commitIn(name, files, message, {});
      }),
    commit: (name, changes, message = 'update', opts = {}) => serial(name, () => commitIn(name, changes, message, opts)),
    git: (name, args) => serial(name, () => run(['--git-dir', repoDir(name), ...args])),
    setAvailable: (value) => {
      available = value;
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    dir: repoDir,
    get requests() {
      return requests;
    },
    get bytesSent() {
      return bytesSent;
    },
    stop: async () => {
      for (const child of children) child.kill('SIGKILL');
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}
