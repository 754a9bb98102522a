/**
 * GitRepositoryCache against a real git http-backend server on loopback.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startGitServer, type GitServer } from '../../../test/support/git-server.ts';
import { baseGitEnv, runGit } from './git-command.ts';
import { GitError, GitRepositoryCache, preciseNow } from './repo-cache.ts';

const tmpDirs: string[] = [];
async function cacheDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-git-cache-'));
  tmpDirs.push(dir);
  return dir;
}

async function rejectsWith(p: Promise<unknown>, check: (err: GitError) => void): Promise<GitError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GitError, `expected a GitError, got ${String(err)}`);
    check(err);
    return err;
  }
  assert.fail('expected a rejection');
}

/** ~600 KB of incompressible files, so a full fetch is clearly bigger than an incremental one. */
function bulkyFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < 60; i++) files[`data/blob-${i}.txt`] = randomBytes(5000).toString('base64');
  return files;
}

let server: GitServer;
let url: string;
let c1: string;
let cFeature: string;
let cTagged: string;
let cAnnotated: string;

before(async () => {
  server = await startGitServer();
  c1 = await server.createRepo('apps', { 'guestbook/deploy.yaml': 'kind: Deployment\n', 'README.md': '# apps\n', ...bulkyFiles() });
  cFeature = await server.commit('apps', { 'guestbook/deploy.yaml': 'kind: Deployment # feature\n' }, 'feature work', { branch: 'feature/x' });
  cTagged = await server.commit('apps', { 'VERSION': '1\n' }, 'release 1', { branch: 'release', tag: 'v1' });
  cAnnotated = await server.commit('apps', { 'VERSION': '2\n' }, 'release 2', { branch: 'release', tag: 'v2', annotated: true });
  url = server.url('apps');
});

after(async () => {
  await server.stop();
  for (const dir of tmpDirs) {
    await fs.chmod(dir, 0o700).catch(() => {});
    await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
  }
});

describe('resolve', () => {
  test('branch, nested branch, tag, annotated tag, full and short SHA, HEAD, refs/…', async () => {
    const cache = new GitRepositoryCache({ dir: await cacheDir() });
    const repo = { url };
    assert.equal(await cache.resolve(repo, 'main'), c1);
    assert.equal(await cache.resolve(repo, 'HEAD'), c1);
    assert.equal(await cache.resolve(repo, 'feature/x'), cFeature);
    assert.equal(await cache.resolve(repo, 'v1'), cTagged);
    assert.equal(await cache.resolve(repo, 'v2'), cAnnotated, 'an annotated tag resolves to its commit, not the tag object');
    assert.equal(await cache.resolve(repo, 'refs/tags/v2'), cAnnotated);
    assert.equal(await cache.resolve(repo, 'refs/heads/release'), cAnnotated);
    assert.equal(await cache.resolve(repo, cFeature), cFeature);
    assert.equal(await cache.resolve(repo, cFeature.toUpperCase()), cFeature);
    assert.equal(await cache.resolve(repo, cTagged.slice(0, 8)), cTagged);
  });

  test('a full SHA not yet fetched is fetched; an unknown revision is a clear error', async () => {
    const cache = new GitRepositoryCache({ dir: await cacheDir() });
    const repo = { url };
    // First call ever is a SHA: the repository is fetched to find it.
    assert.equal(await cache.resolve(repo, cTagged), cTagged);
    await rejectsWith(cache.resolve(repo, 'no-such-branch'), (err) => {
      assert.equal(err.reason, 'revision');
      assert.match(err.message, /"no-such-branch" not found/);
      assert.match(err.message, new RegExp(url.replace(/\.git$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    });
    await rejectsWith(cache.resolve(repo, 'f'.repeat(40)), (err) => {
      assert.equal(err.reason, 'revision');
      assert.match(err.message, /commit "f{40}" not found/);
    });
    for (const bad of ['-c', '--upload-pack=touch /tmp/x', 'main~1', 'HEAD^', 'a..b', 'main@{1}', 'x:y', 'a b']) {
      await rejectsWith(cache.resolve(repo, bad), (err) => assert.equal(err.reason, 'invalid', bad));
    }
  });

  test('a commit that no branch or tag names is fetched by id', async () => {
    const cache = new GitRepositoryCache({ dir: await cacheDir() });
    await server.createRepo('orphans', { 'a.yaml': 'a: 1\n' });
    const dangling = await server.commit('orphans', { 'a.yaml': 'a: 2\n' }, 'on a branch about to go', { branch: 'doomed' });
    const repo = { url: server.url('orphans') };
    assert.equal(await cache.resolve(repo, 'main'), await cache.resolve(repo, 'HEAD'));
    await server.git('orphans', ['update-ref', '-d', 'refs/heads/doomed']);
    // Not in our cache (never fetched while the branch existed), not under any ref upstream:
    // fetched by its id (a rollback to a commit of a deleted branch).
    assert.equal(await cache.resolve(repo, dangling), dangling);
    const tree = await cache.tree(repo, dangling);
    assert.equal(readFileSync(path.join(tree, 'a.yaml'), 'utf8'), 'a: 2\n');
    // Kept under refs/berth/pinned, so a later prune or gc does not lose it.
    cache.invalidate(repo.url);
    await cache.resolve(repo, 'main');
    assert.equal(await cache.resolve(repo, dangling), dangling);
  });

  test('a new commit appears after invalidate() or maxAgeMs 0, with an incremental fetch', async () => {
    const cache = new GitRepositoryCache({ dir: await cacheDir() });
    await server.createRepo('incremental', { 'app.yaml': 'v: 1\n', ...bulkyFiles() });
    const repo = { url: server.url('incremental') };

    let bytes = server.bytesSent;
    const first = await cache.resolve(repo, 'main');
    const fullFetchBytes = server.bytesSent - bytes;

    const second = await server.commit('incremental', { 'app.yaml': 'v: 2\n' }, 'bump');
    let requests = server.requests;
    assert.equal(await cache.resolve(repo, 'main'), first, 'within maxAgeMs the cached answer stands');
    assert.equal(server.requests, requests, 'no request while the cached answer is fresh');

    cache.invalidate(server.url('incremental').toUpperCase().replace('HTTP://', 'http://')); // any spelling of the URL
    bytes = server.bytesSent;
    assert.equal(await cache.resolve(repo, 'main'), second);
    const incrementalBytes = server.bytesSent - bytes;
    assert.ok(incrementalBytes < fullFetchBytes / 20, `incremental fetch sent ${incrementalBytes} bytes vs ${fullFetchBytes} for the first`);

    const third = await server.commit('incremental', { 'app.yaml': 'v: 3\n' }, 'bump again');
    requests = server.requests;
    assert.equal(await cache.resolve(repo, 'main', { maxAgeMs: 0 }), third);
    assert.ok(server.requests > requests);

    // Concurrent resolves share one fetch: as many requests as a single fetch makes.
    requests = server.requests;
    await cache.resolve(repo, 'main', { maxAgeMs: 0 });
    const perFetch = server.requests - requests;
    requests = server.requests;
    const all = await Promise.all(Array.from({ length: 8 }, () => cache.resolve(repo, 'main', { maxAgeMs: 0 })));
    assert.deepEqual(new Set(all), new Set([third]));
    assert.equal(server.requests - requests, perFetch, `8 concurrent resolves made ${server.requests - requests} requests; one fetch makes ${perFetch}`);
    console.log(`# full fetch ${fullFetchBytes} B, incremental ${incrementalBytes} B, ${perFetch} HTTP requests per up-to-date fetch`);
  });

  test('a poll sees every commit pushed before it began, even when another fetch started just before the push', async () => {
    const cache = new GitRepositoryCache({ dir: await cacheDir() });
    await server.createRepo('polled', { 'app.yaml': 'v: 1\n' });
    const repo = { url: server.url('polled') };
    const interval = 180_000;
    await cache.resolve(repo, 'main');

    // Another app's fetch is in flight: it has listed the refs, then the push lands, then the poll begins.
    const second = await server.commit('polled', { 'app.yaml': 'v: 2\n' }, 'two');
    server.setLatency(600);
    let third: string;
    let polled: string;
    let other: Promise<string>;
    try {
      const before = server.requests;
      other = cache.resolve(repo, 'main', { maxAgeMs: 0 });
      for (let i = 0; i < 100 && server.requests < before + 2; i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(server.requests >= before + 2, 'the other fetch listed the refs');
      await new Promise((r) => setTimeout(r, 250));
      third = await server.commit('polled', { 'app.yaml': 'v: 3\n' }, 'three');
      polled = await cache.resolve(repo, 'main', { maxAgeMs: interval, fetchedSince: preciseNow() });
    } finally {
      server.setLatency(0);
    }
    assert.equal(await other, second, 'the earlier fetch saw the refs as they stood before the push');
    assert.equal(polled, third, 'the poll did not settle for a fetch that started before it');

    // A completed fetch within the interval is not fresh for a poll that began after the push.
    const fourth = await server.commit('polled', { 'app.yaml': 'v: 4\n' }, 'four');
    assert.equal(await cache.resolve(repo, 'main', { maxAgeMs: interval }), third, 'an ordinary comparison still uses the cache');
    assert.equal(await cache.resolve(repo, 'main', { maxAgeMs: interval, fetchedSince: preciseNow() }), fourth);

    // Polls that began together share one fetch that started after them.
    const since = preciseNow();
    const requests = server.requests;
    const all = await Promise.all(Array.from({ length: 5 }, () => cache.resolve(repo, 'main', { maxAgeMs: interval, fetchedSince: since })));
    assert.deepEqual(new Set(all), new Set([fourth]));
    const perFetch = server.requests - requests;
    assert.ok(perFetch > 0 && perFetch <= 3, `5 polls made ${perFetch} requests, one fetch's worth`);
  });

  test('git errors do not quote the cache directory (Berth\'s data directory)', async () => {
    const dir = await cacheDir();
    const cache = new GitRepositoryCache({ dir });
    await server.createRepo('broken-cache', { 'a.yaml': 'a\n' });
    const repo = { url: server.url('broken-cache') };
    await cache.resolve(repo, 'main');
    // The bare repository loses its HEAD: git no longer recognises it and says where it looked.
    const [bare] = await fs.readdir(path.join(dir, 'repos'));
    await fs.rm(path.join(dir, 'repos', bare!, 'HEAD'));
    const err = await rejectsWith(cache.resolve(repo, 'main', { maxAgeMs: 0 }), () => {});
    assert.ok(!err.message.includes(dir), err.message);
    assert.match(err.message, /\(git cache\)|git failed|not found/);
  });

  test('a deleted branch disappears after a fetch (prune)', async () => {
    const cache = new GitRepositoryCache({ dir: await cacheDir() });
    await server.createRepo('prune', { 'a.yaml': 'a\n' });
    await server.commit('prune', { 'b.yaml': 'b\n' }, 'b', { branch: 'topic' });
    const repo = { url: server.url('prune') };
    await cache.resolve(repo, 'topic');
    await server.git('prune', ['update-ref', '-d', 'refs/heads/topic']);
    cache.invalidate(repo.url);
    await rejectsWith(cache.resolve(repo, 'topic'), (err) => assert.equal(err.reason, 'revision'));
  });

  test('an unavailable server is "unreachable"; a hung one times out and git is killed', async () => {
    const dir = await cacheDir();
    await server.createRepo('flaky', { 'a.yaml': 'a\n' });
    const repo = { url: server.url('flaky') };
    const cache = new GitRepositoryCache({ dir, commandTimeoutMs: 1500 });
    server.setAvailable(false);
    try {
      await rejectsWith(cache.resolve(repo, 'main'), (err) => {
        assert.equal(err.reason, 'unreachable');
        assert.match(err.message, /repository http:\/\/127\.0\.0\.1:\d+\/flaky: repository unreachable/);
      });
    } finally {
      server.setAvailable(true);
    }
    server.setLatency(10_000);
    const started = Date.now();
    try {
      await rejectsWith(cache.resolve(repo, 'main'), (err) => {
        assert.equal(err.reason, 'timeout');
        assert.match(err.message, /timed out after 2 s/);
      });
    } finally {
      server.setLatency(0);
    }
    assert.ok(Date.now() - started < 5000, 'the timeout is honoured');
    assert.match(await cache.resolve(repo, 'main'), /^[0-9a-f]{40}$/, 'works again afterwards');
  });
});

describe('tree', () => {
  test('materializes the whole tree read-only, shared by all callers', async () => {
    const dir = await cacheDir();
    const cache = new GitRepositoryCache({ dir });
    const repo = { url };
    const commit = await cache.resolve(repo, 'feature/x');
    const [a, b] = await Promise.all([cache.tree(repo, commit), cache.tree(repo, commit)]);
    assert.equal(a, b);
    assert.equal(a, path.join(dir, 'trees', commit));
    assert.equal(readFileSync(path.join(a, 'guestbook/deploy.yaml'), 'utf8'), 'kind: Deployment # feature\n');
    assert.equal(readFileSync(path.join(a, 'README.md'), 'utf8'), '# apps\n');
    assert.ok(!existsSync(path.join(a, '.git')));
    assert.equal(statSync(path.join(a, 'README.md')).mode & 0o222, 0, 'files are read-only');
    assert.equal(statSync(path.join(a, 'guestbook')).mode & 0o222, 0, 'directories are read-only');
    if (process.getuid?.() !== 0) assert.throws(() => writeFileSync(path.join(a, 'README.md'), 'x'));

    // A second cache over the same directory (a restart) adopts the tree.
    const again = new GitRepositoryCache({ dir });
    assert.equal(await again.tree(repo, commit), a);
  });

  test('tree() refuses a commit that is not in the caller\'s repository', async () => {
    const cache = new GitRepositoryCache({ dir: await cacheDir() });
    await server.createRepo('other', { 'x.yaml': 'x\n' });
    const repo = { url };
    const commit = await cache.resolve(repo, 'main');
    await cache.tree(repo, commit);
    await rejectsWith(cache.tree({ url: server.url('other') }, commit), (err) => assert.equal(err.reason, 'revision'));
    await rejectsWith(cache.tree(repo, 'main'), (err) => assert.equal(err.reason, 'invalid'));
  });

  test('trees of different commits build concurrently, while a slow fetch of the same repository holds nothing', async () => {
    const cache = new GitRepositoryCache({ dir: await cacheDir() });
    const repo = { url };
    const [ca, cb] = [await cache.resolve(repo, 'feature/x'), await cache.resolve(repo, 'v2')];
    server.setLatency(2000);
    let slowDone = false;
    const slow = cache.resolve(repo, 'main', { maxAgeMs: 0 }).finally(() => (slowDone = true));
    try {
      const started = Date.now();
      const done: string[] = [];
      const [ta, tb] = await Promise.all([cache.tree(repo, ca).then((d) => (done.push('a'), d)), cache.tree(repo, cb).then((d) => (done.push('b'), d))]);
      assert.equal(slowDone, false, 'the trees did not wait for the fetch in flight');
      assert.ok(Date.now() - started < 1500, `trees took ${Date.now() - started} ms`);
      assert.notEqual(ta, tb);
      assert.equal(readFileSync(path.join(tb, 'VERSION'), 'utf8'), '2\n');
      assert.equal(done.length, 2);
      // Resolving other revisions from the cache does not wait either.
      assert.equal(await cache.resolve(repo, 'v1'), cTagged);
      assert.equal(slowDone, false);
    } finally {
      server.setLatency(0);
    }
    assert.equal(await slow, c1);
  });

  test('least recently used trees are evicted beyond maxTrees, recent ones never', async () => {
    const dir = await cacheDir();
    const repo = { url };
    const commits = [c1, cFeature, cTagged, cAnnotated];
    const cache = new GitRepositoryCache({ dir, maxTrees: 2, treeRetentionMs: 0 });
    const dirs: string[] = [];
    for (const c of commits) {
      await cache.resolve(repo, c);
      dirs.push(await cache.tree(repo, c));
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 200)); // eviction runs after a build
    assert.deepEqual(
      dirs.map((d) => existsSync(d)),
      [false, false, true, true],
    );
    assert.deepEqual((await fs.readdir(path.join(dir, 'trees'))).sort(), [cTagged, cAnnotated].sort(), 'no temporary directories left');

    const keeping = new GitRepositoryCache({ dir: await cacheDir(), maxTrees: 1, treeRetentionMs: 60_000 });
    const kept = [await keeping.tree(repo, c1), await keeping.tree(repo, cFeature)];
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
      kept.map((d) => existsSync(d)),
      [true, true],
      'trees handed out recently are kept even beyond the bound',
    );
  });

  test('symbolic links inside the tree are kept; one pointing outside is refused', async () => {
    const cache = new GitRepositoryCache({ dir: await cacheDir() });
    await server.createRepo('links', { 'base/a.yaml': 'a: 1\n' });
    const good = await server.commit('links', { 'overlay/a.yaml': '../base/a.yaml' }, 'link', { modes: { 'overlay/a.yaml': '120000' } });
    const repo = { url: server.url('links') };
    const tree = await cache.tree(repo, await cache.resolve(repo, good));
    assert.equal(readlinkSync(path.join(tree, 'overlay/a.yaml')), '../base/a.yaml');
    assert.equal(readFileSync(path.join(tree, 'overlay/a.yaml'), 'utf8'), 'a: 1\n');
    for (const target of ['/etc/passwd', '../../../../etc/passwd']) {
      const bad = await server.commit('links', { 'evil.yaml': target }, 'escape', { modes: { 'evil.yaml': '120000' } });
      await rejectsWith(cache.tree(repo, await cache.resolve(repo, bad)), (err) => {
        assert.equal(err.reason, 'unsafe-tree');
        assert.match(err.message, /evil\.yaml -> /);
      });
      await server.commit('links', { 'evil.yaml': null }, 'remove');
    }
  });
});

describe('credentials', () => {
  test('Basic auth through GIT_ASKPASS; a bad password is "authentication failed" without the password anywhere', async () => {
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const secured = await startGitServer({ username: 'alice', password });
    try {
      const head = await secured.createRepo('private', { 'app.yaml': 'secret: app\n' });
      const repoUrl = secured.url('private');
      const dir = await cacheDir();
      const logged: string[] = [];
      const cache = new GitRepositoryCache({ dir, logger: { warn: (o, m) => logged.push(JSON.stringify(o) + m) } });

      const wrong = `${password}-wrong`;
      const err = await rejectsWith(cache.resolve({ url: repoUrl, username: 'alice', password: wrong }, 'main'), (e) => {
        assert.equal(e.reason, 'auth');
        assert.match(e.message, /^repository http:\/\/127\.0\.0\.1:\d+\/private: authentication failed/);
      });
      for (const secret of [wrong, password]) {
        assert.ok(!err.message.includes(secret));
        assert.ok(!String(err.stack).includes(secret));
        assert.ok(!logged.join('\n').includes(secret));
      }
      await rejectsWith(cache.resolve({ url: repoUrl }, 'main'), (e) => assert.equal(e.reason, 'auth'));

      assert.equal(await cache.resolve({ url: repoUrl, username: 'alice', password }, 'main'), head);
      const tree = await cache.tree({ url: repoUrl, username: 'alice', password }, head);
      assert.equal(readFileSync(path.join(tree, 'app.yaml'), 'utf8'), 'secret: app\n');

      // The repository is cached now, yet other credentials must prove themselves to the server.
      await rejectsWith(cache.resolve({ url: repoUrl }, 'main'), (e) => assert.equal(e.reason, 'auth'));
      await rejectsWith(cache.resolve({ url: repoUrl, username: 'alice', password: wrong }, head), (e) => assert.equal(e.reason, 'auth'));
      await rejectsWith(cache.tree({ url: repoUrl }, head), (e) => assert.equal(e.reason, 'auth'));

      // Nothing secret on disk in the cache (no credentials in git config, no key files).
      const onDisk = await fs.readFile(path.join(dir, 'repos', (await fs.readdir(path.join(dir, 'repos')))[0]!, 'config'), 'utf8');
      assert.ok(!onDisk.includes(password));
      assert.deepEqual(await fs.readdir(path.join(dir, 'tmp')), []);
    } finally {
      await secured.stop();
    }
  });

  test('the askpass helper answers only for the repository\'s own origin', async () => {
    const dir = await cacheDir();
    const cache = new GitRepositoryCache({ dir });
    await cache.resolve({ url }, 'main'); // writes askpass.sh
    const { execFileSync } = await import('node:child_process');
    const ask = (prompt: string) => {
      try {
        return execFileSync(path.join(dir, 'askpass.sh'), [prompt], {
          env: { BERTH_GIT_ORIGIN: 'https://git.example:8443', BERTH_GIT_SCHEME: 'https', BERTH_GIT_HOSTPORT: 'git.example:8443', BERTH_GIT_USERNAME: 'u', BERTH_GIT_PASSWORD: 'p' },
          encoding: 'utf8',
        });
      } catch {
        return 'refused';
      }
    };
    assert.equal(ask("Username for 'https://git.example:8443': "), 'u\n');
    assert.equal(ask("Password for 'https://u@git.example:8443': "), 'p\n');
    assert.equal(ask("Password for 'https://git.example:8443': "), 'p\n');
    assert.equal(ask("Password for 'https://u@evil.example': "), 'refused');
    assert.equal(ask("Username for 'https://evil.example': "), 'refused');
    assert.equal(ask("Password for 'http://u@git.example:8443': "), 'refused');
  });
});

describe('protocols', () => {
  test('file:// and ext:: are refused by default; file:// works with allowFileUrls', async () => {
    const marker = path.join(await cacheDir(), 'pwned');
    const cache = new GitRepositoryCache({ dir: await cacheDir() });
    const fileUrl = `file://${server.dir('apps')}`;
    for (const bad of [fileUrl, server.dir('apps'), `ext::sh -c touch% ${marker}`, 'ext::sh', 'fd::3', 'ftp://127.0.0.1/x.git', '-oProxyCommand=x:repo', 'ssh://-oProxyCommand=x/repo']) {
      await rejectsWith(cache.resolve({ url: bad }, 'main'), (err) => assert.equal(err.reason, 'invalid', bad));
    }
    assert.ok(!existsSync(marker));

    const local = new GitRepositoryCache({ dir: await cacheDir(), allowFileUrls: true });
    assert.equal(await local.resolve({ url: fileUrl }, 'main'), c1);
    await rejectsWith(local.resolve({ url: `ext::sh -c touch% ${marker}` }, 'main'), (err) => assert.equal(err.reason, 'invalid'));
  });

  test('even past URL validation, git itself refuses ext:: and file:// (GIT_ALLOW_PROTOCOL)', async () => {
    const home = await cacheDir();
    const marker = path.join(home, 'pwned');
    const env = baseGitEnv({ home, askpass: '/bin/false', allowFileUrls: false });
    const opts = { timeoutMs: 10_000, url: 'x', secrets: [], what: 'ls-remote' };
    await rejectsWith(runGit(['ls-remote', `ext::sh -c touch% ${marker}`], env, opts), (err) => assert.match(err.message, /transport 'ext' not allowed/));
    await rejectsWith(runGit(['ls-remote', `file://${server.dir('apps')}`], env, opts), (err) => assert.match(err.message, /transport 'file' not allowed/));
    assert.ok(!existsSync(marker));
  });

  test('an SSH URL without known hosts is refused before connecting', async () => {
    const cache = new GitRepositoryCache({ dir: await cacheDir() });
    await rejectsWith(cache.resolve({ url: 'git@127.0.0.1:org/repo.git', sshPrivateKey: 'x' }, 'main'), (err) => {
      assert.equal(err.reason, 'invalid');
      assert.match(err.message, /known hosts/);
    });
  });
});
