/**
 * GitRepositoryCache: the delivery engine's access to Git repositories,
 * through the git CLI.
 *
 * Layout under `dir`:
 *   repos/<sha256 of the canonical URL>/   one bare repository per URL,
 *                                          fetched incrementally
 *   trees/<commit>/                        read-only trees, shared by all
 *   home/                                  empty $HOME for git (no ~/.netrc …)
 *   tmp/                                   per-operation SSH key files (0600)
 *   askpass.sh                             reads credentials from the child's env
 *
 * Concurrency: fetches of one repository are single-flight (callers with the
 * same credentials share one fetch; callers with other credentials wait for
 * it, then fetch themselves if they still need to prove access); trees are
 * single-flight per commit. Nothing else is serialized: resolving and
 * materializing different revisions run in parallel.
 *
 * Shared cache, per-caller access: a repository fetched with one set of
 * credentials is not handed to a caller with other (or no) credentials until
 * that caller's credentials fetched from the server successfully themselves
 * (re-checked every `accessRecheckMs`).
 */
import { createHmac, randomBytes, createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { GitRepoCache, RepoAccess } from '../types.ts';
import { GitError } from './errors.ts';
import { baseGitEnv, runGit, shellQuote, type GitResult } from './git-command.ts';
import { canonicalRepoUrl, normalizeRepoUrl, validateRepoUrl, type ParsedRepoUrl } from './urls.ts';

export { GitError } from './errors.ts';
export type { GitErrorReason } from './errors.ts';

export interface GitRepositoryCacheOptions {
  /** Cache root, e.g. <dataDir>/gitops/git. Created when missing. */
  dir: string;
  /** Longest a single git command may run before it is killed (default 90 s). */
  commandTimeoutMs?: number;
  /** Accept file:// repository URLs (tests, local mirrors). Default false. */
  allowFileUrls?: boolean;
  logger?: { warn(obj: object, msg: string): void };
  /** Trees kept on disk before the least recently used are evicted (default 64). */
  maxTrees?: number;
  /** A tree handed out within this long is never evicted (default 5 minutes). */
  treeRetentionMs?: number;
  /** `maxAgeMs` of resolve() when the caller gives none (default 3 minutes). */
  defaultMaxAgeMs?: number;
  /** How long a successful fetch proves a caller's credentials (default 10 minutes). */
  accessRecheckMs?: number;
}

interface RepoState {
  key: string;
  /** Case-preserving canonical URL (cache key). */
  canonical: string;
  gitDir: string;
  init?: Promise<void>;
  /** Start time of the last successful fetch; 0 = never. */
  fetchedAt: number;
  /** The same, as a precise clock reading (preciseNow), for `fetchedSince`. */
  fetchStartedAt: number;
  /** A webhook said the repository changed since the last fetch started. */
  invalidated: boolean;
  fetching?: { identity: string; started: number; promise: Promise<void> };
  /** Credential identity → when a fetch with it last succeeded. */
  verified: Map<string, number>;
  /** Commits known to be present in this repository. */
  commits: Set<string>;
  /** Revision → commit as the refs stood after the last fetch (no git process per comparison). */
  refs: Map<string, string>;
  /** Bumped by every fetch, so a lookup that raced a fetch is not remembered. */
  generation: number;
  /** Lookups in flight for the current generation: concurrent resolves of one revision share one git process. */
  lookups: Map<string, Promise<string | undefined>>;
}

interface TreeEntry {
  dir: string;
  ready: Promise<void>;
  built: boolean;
  lastUsed: number;
}

interface Context {
  access: RepoAccess;
  parsed: ParsedRepoUrl;
  /** The URL without userinfo, for messages. */
  shownUrl: string;
  state: RepoState;
  identity: string;
  secrets: (string | undefined)[];
}

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const SHORT_SHA = /^[0-9a-f]{4,63}$/i;

const ASKPASS_SCRIPT = `#!/bin/sh
# Berth's GIT_ASKPASS helper: answers git's prompts from the environment of
# this one git process, and only for the origin the operation targets.
case "$1" in
  "Username for '$BERTH_GIT_ORIGIN': ")
    [ -n "\${BERTH_GIT_USERNAME+x}" ] || exit 1
    printf '%s\\n' "$BERTH_GIT_USERNAME" ;;
  "Password for '$BERTH_GIT_ORIGIN': " | "Password for '$BERTH_GIT_SCHEME://"*"@$BERTH_GIT_HOSTPORT': ")
    [ -n "\${BERTH_GIT_PASSWORD+x}" ] || exit 1
    printf '%s\\n' "$BERTH_GIT_PASSWORD" ;;
  *) exit 1 ;;
esac
`;

/**
 * A wall-clock reading in epoch milliseconds with sub-millisecond precision
 * (monotonic within the process): what `fetchedSince` is compared against.
 */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Checks a revision given by a user (branch, tag, HEAD, SHA): no option
 * look-alikes, no revision expressions (`~ ^ : @{ ..`), nothing git would
 * refuse as a ref name. Throws GitError('invalid').
 */
export function validateRevision(revision: string, url: string): void {
  const bad = (why: string) => new GitError('invalid', url, `revision ${JSON.stringify(revision.slice(0, 100))}: ${why}`);
  if (typeof revision !== 'string' || revision.length === 0) throw bad('is empty');
  if (revision.length > 255) throw bad('is longer than 255 characters');
  if (revision.startsWith('-')) throw bad('must not start with "-"');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(revision)) throw bad('must be a branch, tag or commit name (no spaces or ~ ^ : ? * [ \\)');
  if (revision.includes('..') || revision.includes('@{') || revision.includes('//')) throw bad('must be a branch, tag or commit name (no "..", "@{" or "//")');
  if (revision.startsWith('/') || revision.endsWith('/') || revision.endsWith('.') || revision.endsWith('.lock')) throw bad('is not a valid branch or tag name');
  if (revision.split('/').some((part) => part.startsWith('.'))) throw bad('is not a valid branch or tag name');
}

export class GitRepositoryCache implements GitRepoCache {
  private readonly dir: string;
  private readonly reposDir: string;
  private readonly treesDir: string;
  private readonly tmpDir: string;
  private readonly homeDir: string;
  private readonly askpass: string;
  private readonly timeoutMs: number;
  private readonly allowFileUrls: boolean;
  private readonly logger: { warn(obj: object, msg: string): void } | undefined;
  private readonly maxTrees: number;
  private readonly treeRetentionMs: number;
  private readonly defaultMaxAgeMs: number;
  private readonly accessRecheckMs: number;
  /** Keys credential fingerprints for this process only (never stored). */
  private readonly identityKey = randomBytes(32);
  private readonly repos = new Map<string, RepoState>();
  private readonly trees = new Map<string, TreeEntry>();
  private readonly env: Record<string, string>;
  private setup: Promise<void> | undefined;

  constructor(options: GitRepositoryCacheOptions) {
    if (!options.dir) throw new Error('GitRepositoryCache: dir is required');
    this.dir = path.resolve(options.dir);
    this.reposDir = path.join(this.dir, 'repos');
    this.treesDir = path.join(this.dir, 'trees');
    this.tmpDir = path.join(this.dir, 'tmp');
    this.homeDir = path.join(this.dir, 'home');
    this.askpass = path.join(this.dir, 'askpass.sh');
    this.timeoutMs = options.commandTimeoutMs ?? 90_000;
    this.allowFileUrls = options.allowFileUrls ?? false;
    this.logger = options.logger;
    this.maxTrees = Math.max(1, options.maxTrees ?? 64);
    this.treeRetentionMs = options.treeRetentionMs ?? 5 * 60_000;
    this.defaultMaxAgeMs = options.defaultMaxAgeMs ?? 3 * 60_000;
    this.accessRecheckMs = options.accessRecheckMs ?? 10 * 60_000;
    this.env = baseGitEnv({ home: this.homeDir, askpass: this.askpass, allowFileUrls: this.allowFileUrls });
  }

  // ------------------------------------------------------------ public API

  async resolve(repo: RepoAccess, revision: string, options: { maxAgeMs?: number; fetchedSince?: number } = {}): Promise<string> {
    const ctx = await this.context(repo);
    validateRevision(revision, ctx.shownUrl);
    const maxAgeMs = options.maxAgeMs ?? this.defaultMaxAgeMs;

    if (FULL_SHA.test(revision.toLowerCase())) return this.resolveCommit(ctx, revision.toLowerCase());

    const fetched = await this.ensureFetched(ctx, maxAgeMs, options.fetchedSince);
    const { state } = ctx;
    const generation = state.generation;
    let found = state.refs.get(revision);
    if (found === undefined) {
      let pending = state.lookups.get(revision);
      if (!pending) {
        pending = this.lookup(ctx, revision);
        state.lookups.set(revision, pending);
        void pending.catch(() => undefined).finally(() => {
          if (state.lookups.get(revision) === pending) state.lookups.delete(revision);
        });
      }
      found = await pending;
    }
    if (found === undefined && !fetched) {
      // Perhaps pushed since the last fetch: look once more with fresh refs.
      await this.ensureFetched(ctx, -1);
      found = await this.lookup(ctx, revision);
    }
    if (found === undefined) throw this.revisionNotFound(ctx, revision);
    if (state.generation === generation) {
      if (state.refs.size >= 10_000) state.refs.clear();
      state.refs.set(revision, found);
    }
    this.rememberCommit(state, found);
    return found;
  }

  async tree(repo: RepoAccess, commit: string): Promise<string> {
    const ctx = await this.context(repo);
    if (typeof commit !== 'string' || !FULL_SHA.test(commit)) {
      throw new GitError('invalid', ctx.shownUrl, `repository ${ctx.shownUrl}: tree() needs a full lowercase commit SHA, got ${JSON.stringify(String(commit).slice(0, 80))}`);
    }
    if (!ctx.state.commits.has(commit) || !this.isVerified(ctx.state, ctx.identity)) await this.resolveCommit(ctx, commit);
    return this.materialize(ctx, commit);
  }

  invalidate(url: string): void {
    const wanted = normalizeRepoUrl(url);
    for (const state of this.repos.values()) {
      if (normalizeRepoUrl(state.canonical) === wanted) {
        state.invalidated = true;
        state.fetchedAt = 0;
        state.fetchStartedAt = 0;
      }
    }
  }

  // ------------------------------------------------------------ setup

  private async ensureSetup(): Promise<void> {
    this.setup ??= (async () => {
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
      await Promise.all([this.reposDir, this.treesDir, this.homeDir].map((d) => fs.mkdir(d, { recursive: true, mode: 0o700 })));
      // Key files of operations interrupted by a crash.
      await fs.rm(this.tmpDir, { recursive: true, force: true });
      await fs.mkdir(this.tmpDir, { mode: 0o700 });
      const tmpAskpass = `${this.askpass}.${process.pid}.tmp`;
      await fs.writeFile(tmpAskpass, ASKPASS_SCRIPT, { mode: 0o700 });
      await fs.rename(tmpAskpass, this.askpass);
      // Trees left by a previous process: remove half-built ones, adopt the rest.
      for (const name of await fs.readdir(this.treesDir)) {
        const full = path.join(this.treesDir, name);
        if (name.startsWith('.')) {
          await removeTree(full).catch((err: unknown) => this.warn({ err: String(err), dir: full }, 'could not remove a leftover git tree'));
        } else if (FULL_SHA.test(name)) {
          const st = await fs.stat(full).catch(() => undefined);
          if (st?.isDirectory()) this.trees.set(name, { dir: full, ready: Promise.resolve(), built: true, lastUsed: st.mtimeMs });
        }
      }
    })();
    try {
      await this.setup;
    } catch (err) {
      this.setup = undefined;
      throw err;
    }
  }

  private async context(access: RepoAccess): Promise<Context> {
    if (access === null || typeof access !== 'object' || typeof access.url !== 'string') throw new GitError('invalid', '', 'repository access must give a url');
    const parsed = validateRepoUrl(access.url, { allowFileUrls: this.allowFileUrls });
    const canonical = canonicalRepoUrl(access.url);
    const shownUrl = canonical;
    if (parsed.scheme === 'ssh') {
      if (!access.knownHosts?.trim() && !access.insecureIgnoreHostKey) {
        throw new GitError('invalid', shownUrl, `repository ${shownUrl}: SSH repositories need known hosts (the server's host key lines); set insecureIgnoreHostKey only if you accept connecting to an unverified server`);
      }
    } else if (access.sshPrivateKey) {
      throw new GitError('invalid', shownUrl, `repository ${shownUrl}: an SSH private key was given for a non-SSH URL`);
    }
    if ((parsed.scheme === 'http' || parsed.scheme === 'https') && access.password !== undefined && access.password.includes('\n')) {
      throw new GitError('invalid', shownUrl, `repository ${shownUrl}: the password must be a single line`);
    }
    if (access.username !== undefined && /[\n\r]/.test(access.username)) throw new GitError('invalid', shownUrl, `repository ${shownUrl}: the username must be a single line`);
    await this.ensureSetup();
    // Unverified host keys get a repository of their own, so what a possibly
    // intercepted connection fetched never reaches callers who verify.
    const keySource = parsed.scheme === 'ssh' && access.insecureIgnoreHostKey ? `${canonical}\0insecure-host-key` : canonical;
    const key = createHash('sha256').update(keySource).digest('hex');
    let state = this.repos.get(key);
    if (!state) {
      state = { key, canonical, gitDir: path.join(this.reposDir, key), fetchedAt: 0, fetchStartedAt: 0, invalidated: false, verified: new Map(), commits: new Set(), refs: new Map(), generation: 0, lookups: new Map() };
      this.repos.set(key, state);
    }
    const identity = createHmac('sha256', this.identityKey)
      .update(JSON.stringify([access.username ?? '', access.password ?? '', access.sshPrivateKey ?? '', access.knownHosts ?? '', Boolean(access.insecureIgnoreHostKey)]))
      .digest('hex');
    return { access, parsed, shownUrl, state, identity, secrets: [access.password, access.sshPrivateKey] };
  }

  private async initRepo(state: RepoState, ctx: Context): Promise<void> {
    state.init ??= (async () => {
      if (existsSync(path.join(state.gitDir, 'HEAD'))) return;
      const tmp = `${state.gitDir}.init-${randomBytes(6).toString('hex')}`;
      await this.git(ctx, 'init', ['init', '--bare', '--quiet', '--template=', '--', tmp]);
      await fs.rename(tmp, state.gitDir).catch(async (err: NodeJS.ErrnoException) => {
        await fs.rm(tmp, { recursive: true, force: true });
        if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      });
    })();
    try {
      await state.init;
    } catch (err) {
      state.init = undefined;
      throw err;
    }
  }

  // ------------------------------------------------------------ fetching

  private isVerified(state: RepoState, identity: string): boolean {
    const at = state.verified.get(identity);
    return at !== undefined && Date.now() - at <= this.accessRecheckMs;
  }

  /**
   * Fetches unless the repository was fetched within `maxAgeMs` (negative:
   * always) by a fetch that started at or after `since` (a preciseNow()
   * reading; a poll passes its own start, so that it sees every commit pushed
   * before it began), was not invalidated, and this caller's credentials are
   * proven. Joins a fetch already running if that fetch started at or after
   * `since`; an older one is waited for, then fetched again. Returns whether
   * a fetch ran for this call.
   */
  private async ensureFetched(ctx: Context, maxAgeMs: number, since?: number): Promise<boolean> {
    const { state } = ctx;
    const recentEnough = (started: number) => since === undefined || started >= since;
    for (;;) {
      // Fresh enough: answer from the cache, even while a fetch runs for someone else.
      const fresh = maxAgeMs >= 0 && state.fetchedAt > 0 && Date.now() - state.fetchedAt <= maxAgeMs && recentEnough(state.fetchStartedAt);
      if (fresh && !state.invalidated && this.isVerified(state, ctx.identity)) return false;
      const inflight = state.fetching;
      if (inflight) {
        let ok = true;
        try {
          await inflight.promise;
        } catch (err) {
          if (inflight.identity === ctx.identity && recentEnough(inflight.started)) throw err;
          ok = false;
        }
        if (ok && recentEnough(inflight.started) && !state.invalidated && this.isVerified(state, ctx.identity)) return true;
        continue;
      }
      const entry: { identity: string; started: number; promise: Promise<void> } = { identity: ctx.identity, started: preciseNow(), promise: Promise.resolve() };
      entry.promise = (async () => {
        try {
          await this.fetch(ctx, entry.started);
        } finally {
          if (state.fetching === entry) state.fetching = undefined;
        }
      })();
      state.fetching = entry;
      await entry.promise;
      return true;
    }
  }

  private async fetch(ctx: Context, startedPrecise: number): Promise<void> {
    const { state } = ctx;
    await this.initRepo(state, ctx);
    const wasInvalidated = state.invalidated;
    state.invalidated = false;
    const started = Date.now();
    const base = ['--git-dir', state.gitDir, 'fetch', '--prune', '--force', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules', '--quiet', '--', ctx.access.url];
    const heads = ['+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'];
    try {
      try {
        await this.git(ctx, 'fetch', [...base, ...heads, '+HEAD:refs/berth/HEAD']);
      } catch (err) {
        // A remote whose HEAD names no branch (empty default branch): fetch the rest.
        if (!(err instanceof GitError) || !/couldn't find remote ref HEAD/i.test(err.message)) throw err;
        await this.git(ctx, 'fetch', [...base, ...heads]);
        await this.git(ctx, 'update-ref', ['--git-dir', state.gitDir, 'update-ref', '-d', 'refs/berth/HEAD']).catch(() => {});
      }
    } catch (err) {
      state.verified.delete(ctx.identity);
      if (wasInvalidated) state.invalidated = true;
      this.warn({ url: ctx.shownUrl, reason: err instanceof GitError ? err.reason : 'other' }, 'git fetch failed');
      throw err;
    }
    state.fetchedAt = started;
    state.fetchStartedAt = startedPrecise;
    state.verified.set(ctx.identity, started);
    state.generation++;
    state.refs.clear();
    state.lookups.clear();
  }

  /** A full SHA: present locally, else after a fetch, else fetched by id. */
  private async resolveCommit(ctx: Context, sha: string): Promise<string> {
    const { state } = ctx;
    let fetched = false;
    if (!this.isVerified(state, ctx.identity)) fetched = await this.ensureFetched(ctx, -1);
    if (state.commits.has(sha) || (await this.hasCommit(ctx, sha))) {
      this.rememberCommit(state, sha);
      return sha;
    }
    if (!fetched) await this.ensureFetched(ctx, -1);
    if (!(await this.hasCommit(ctx, sha))) {
      // Not under any branch or tag: servers may still serve it by id (protocol v2 does for reachable commits).
      await this.git(ctx, 'fetch', ['--git-dir', state.gitDir, 'fetch', '--force', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules', '--quiet', '--', ctx.access.url, `+${sha}:refs/berth/pinned/${sha}`]).catch(
        (err: unknown) => {
          if (err instanceof GitError && (err.reason === 'auth' || err.reason === 'unreachable' || err.reason === 'timeout' || err.reason === 'host-key')) throw err;
        },
      );
      if (!(await this.hasCommit(ctx, sha))) throw this.revisionNotFound(ctx, sha);
    }
    this.rememberCommit(state, sha);
    return sha;
  }

  private rememberCommit(state: RepoState, sha: string): void {
    if (state.commits.size >= 10_000) state.commits.clear();
    state.commits.add(sha);
  }

  private async hasCommit(ctx: Context, sha: string): Promise<boolean> {
    if (!existsSync(path.join(ctx.state.gitDir, 'HEAD'))) return false;
    const out = await this.catFile(ctx, [`${sha}^{commit}`]);
    return out[0] === sha;
  }

  /** Peeled commit SHA of each expression, or undefined (missing, ambiguous, not a commit). */
  private async catFile(ctx: Context, exprs: readonly string[]): Promise<(string | undefined)[]> {
    const { stdout } = await this.git(ctx, 'resolve', ['--git-dir', ctx.state.gitDir, 'cat-file', '--batch-check=%(objectname) %(objecttype)'], {
      input: exprs.map((e) => `${e}\n`).join(''),
    });
    const lines = stdout.split('\n');
    return exprs.map((_, i) => {
      const m = /^([0-9a-f]{40}|[0-9a-f]{64}) commit$/.exec(lines[i] ?? '');
      return m?.[1];
    });
  }

  /** Branch, then tag, then HEAD / refs/… / abbreviated SHA; undefined when none. */
  private async lookup(ctx: Context, revision: string): Promise<string | undefined> {
    if (!existsSync(path.join(ctx.state.gitDir, 'HEAD'))) return undefined;
    let candidates: string[];
    if (revision === 'HEAD') candidates = ['refs/berth/HEAD'];
    else if (revision.startsWith('refs/')) candidates = revision.startsWith('refs/heads/') || revision.startsWith('refs/tags/') ? [revision] : [];
    else {
      candidates = [`refs/heads/${revision}`, `refs/tags/${revision}`];
      if (SHORT_SHA.test(revision)) candidates.push(revision.toLowerCase());
    }
    if (candidates.length === 0) return undefined;
    const results = await this.catFile(
      ctx,
      candidates.map((c) => `${c}^{commit}`),
    );
    return results.find((r) => r !== undefined);
  }

  private revisionNotFound(ctx: Context, revision: string): GitError {
    const what = FULL_SHA.test(revision) ? 'commit' : 'revision';
    return new GitError('revision', ctx.shownUrl, `repository ${ctx.shownUrl}: ${what} ${JSON.stringify(revision)} not found (no branch, tag or commit by that name)`);
  }

  // ------------------------------------------------------------ trees

  private async materialize(ctx: Context, commit: string): Promise<string> {
    for (;;) {
      let entry = this.trees.get(commit);
      if (!entry) {
        const dir = path.join(this.treesDir, commit);
        const fresh: TreeEntry = { dir, ready: Promise.resolve(), built: false, lastUsed: Date.now() };
        fresh.ready = this.buildTree(ctx, commit, dir).then(
          () => {
            fresh.built = true;
          },
          (err: unknown) => {
            if (this.trees.get(commit) === fresh) this.trees.delete(commit);
            throw err;
          },
        );
        this.trees.set(commit, fresh);
        entry = fresh;
        entry.ready.then(() => this.evict(), () => {}).catch(() => {});
      }
      entry.lastUsed = Date.now();
      await entry.ready;
      entry.lastUsed = Date.now();
      if (this.trees.get(commit) === entry) return entry.dir;
      // Evicted between being built and being handed out (only with a tiny cache): build again.
    }
  }

  private async buildTree(ctx: Context, commit: string, dir: string): Promise<void> {
    if (existsSync(dir)) return; // built by an earlier process
    const tmp = await fs.mkdtemp(path.join(this.treesDir, `.tmp-${commit.slice(0, 12)}-`));
    try {
      const work = path.join(tmp, 'tree');
      await fs.mkdir(work);
      // read-tree -u checks paths like a checkout does (no "..", no ".git", no writing through symlinks).
      await this.git(ctx, 'checkout', ['--git-dir', ctx.state.gitDir, '--work-tree', work, '-c', 'core.symlinks=true', 'read-tree', '--reset', '-u', commit], {
        env: { GIT_INDEX_FILE: path.join(tmp, 'index') },
      });
      await sealTree(work, ctx, commit);
      try {
        await fs.rename(work, dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      }
    } finally {
      await removeTree(tmp).catch((err: unknown) => this.warn({ err: String(err), dir: tmp }, 'could not remove a temporary git tree'));
    }
  }

  /** Removes least recently used trees beyond maxTrees, sparing recent ones. */
  private async evict(): Promise<void> {
    const now = Date.now();
    const built = [...this.trees.entries()].filter(([, e]) => e.built);
    if (built.length <= this.maxTrees) return;
    const candidates = built.filter(([, e]) => now - e.lastUsed > this.treeRetentionMs).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    let excess = built.length - this.maxTrees;
    for (const [commit, entry] of candidates) {
      if (excess <= 0) break;
      excess--;
      this.trees.delete(commit);
      const doomed = path.join(this.treesDir, `.evict-${commit.slice(0, 12)}-${randomBytes(4).toString('hex')}`);
      try {
        await fs.rename(entry.dir, doomed);
        await removeTree(doomed);
      } catch (err) {
        this.warn({ err: String(err), dir: entry.dir }, 'could not evict a git tree');
      }
    }
  }

  // ------------------------------------------------------------ running git

  private async git(ctx: Context, what: string, args: string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<GitResult> {
    const env: Record<string, string> = { ...options.env };
    const network = what === 'fetch';
    let keyDir: string | undefined;
    if (network) {
      const { parsed, access } = ctx;
      if (parsed.scheme === 'http' || parsed.scheme === 'https') {
        env.BERTH_GIT_ORIGIN = `${parsed.scheme}://${parsed.host}`;
        env.BERTH_GIT_SCHEME = parsed.scheme;
        env.BERTH_GIT_HOSTPORT = parsed.host;
        if (access.username !== undefined && access.username !== '') env.BERTH_GIT_USERNAME = access.username;
        else if (access.password) env.BERTH_GIT_USERNAME = 'git';
        if (access.password !== undefined && access.password !== '') env.BERTH_GIT_PASSWORD = access.password;
      } else if (parsed.scheme === 'ssh') {
        keyDir = await fs.mkdtemp(path.join(this.tmpDir, 'ssh-'));
        const ssh = ['ssh', '-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'ConnectTimeout=30', '-o', 'LogLevel=ERROR', '-o', 'GlobalKnownHostsFile=/dev/null'];
        if (access.sshPrivateKey) {
          const keyFile = path.join(keyDir, 'key');
          const key = access.sshPrivateKey.endsWith('\n') ? access.sshPrivateKey : `${access.sshPrivateKey}\n`;
          await fs.writeFile(keyFile, key, { mode: 0o600 });
          ssh.push('-i', shellQuote(keyFile));
        } else {
          ssh.push('-o', 'IdentityFile=none');
        }
        if (access.knownHosts?.trim()) {
          const knownHosts = path.join(keyDir, 'known_hosts');
          await fs.writeFile(knownHosts, access.knownHosts.endsWith('\n') ? access.knownHosts : `${access.knownHosts}\n`, { mode: 0o600 });
          ssh.push('-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${shellQuote(knownHosts)}`);
        } else {
          ssh.push('-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null');
        }
        env.GIT_SSH_COMMAND = ssh.join(' ');
      }
    }
    try {
      return await runGit(args, this.env, {
        env,
        ...(options.input !== undefined ? { input: options.input } : {}),
        timeoutMs: options.timeoutMs ?? this.timeoutMs,
        url: ctx.shownUrl,
        secrets: ctx.secrets,
        hidePaths: [this.dir],
        what,
      });
    } finally {
      if (keyDir) await fs.rm(keyDir, { recursive: true, force: true }).catch(() => {});
    }
  }

  private warn(obj: object, msg: string): void {
    this.logger?.warn(obj, msg);
  }
}

/**
 * Refuses symbolic links that leave the tree (absolute, or climbing above its
 * root), then makes everything read-only (files 0444/0555, directories 0555).
 */
async function sealTree(root: string, ctx: Context, commit: string): Promise<void> {
  const walk = async (rel: string): Promise<void> => {
    const abs = path.join(root, rel);
    const entries = await fs.readdir(abs, { withFileTypes: true });
    // Files of one directory in parallel (bounded by the directory's size), directories one by one.
    await Promise.all(
      entries
        .filter((e) => e.isFile())
        .map(async (e) => {
          const file = path.join(abs, e.name);
          const st = await fs.stat(file);
          await fs.chmod(file, st.mode & 0o100 ? 0o555 : 0o444);
        }),
    );
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      const childAbs = path.join(root, childRel);
      if (e.isSymbolicLink()) {
        const target = await fs.readlink(childAbs);
        const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(childRel), target));
        if (path.posix.isAbsolute(target) || resolved === '..' || resolved.startsWith('../')) {
          throw new GitError(
            'unsafe-tree',
            ctx.shownUrl,
            `repository ${ctx.shownUrl}: commit ${commit.slice(0, 12)} has a symbolic link pointing outside the repository: ${childRel} -> ${target}`,
          );
        }
      } else if (e.isDirectory()) {
        await walk(childRel);
        await fs.chmod(childAbs, 0o555);
      }
    }
  };
  await walk('');
  await fs.chmod(root, 0o555);
}

/** Deletes a tree made read-only by sealTree. */
async function removeTree(dir: string): Promise<void> {
  const unseal = async (d: string): Promise<void> => {
    await fs.chmod(d, 0o700).catch(() => {});
    const entries = await fs.readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) await unseal(path.join(d, e.name));
  };
  await unseal(dir);
  await fs.rm(dir, { recursive: true, force: true });
}
