/**
 * Git over SSH against a real OpenSSH server (test/peers/sshd.sh) run on a
 * loopback port as the current user, with its own host key, authorized_keys
 * and config in a temporary directory.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startGitServer, type GitServer } from '../../../test/support/git-server.ts';
import { freePort } from '../../../test/support/net.ts';
import { findPeer, skipUnlessPeer } from '../../../test/support/peers.ts';
import { GitError, GitRepositoryCache } from './repo-cache.ts';

const skip = skipUnlessPeer('sshd');

interface Sshd {
  port: number;
  user: string;
  knownHosts: string;
  clientKey: string;
  otherKey: string;
  otherHostKnownHosts: string;
  stop(): Promise<void>;
}

function keygen(file: string, comment: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { stdio: 'ignore' });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on ${port}: ${log()}`);
}

async function startSshd(): Promise<Sshd> {
  const sshdPath = findPeer('sshd');
  if (sshdPath instanceof Error) throw sshdPath;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-sshd-'));
  keygen(path.join(dir, 'host_key'), 'berth-test-host');
  keygen(path.join(dir, 'other_host_key'), 'berth-other-host');
  keygen(path.join(dir, 'client_key'), 'berth-client');
  keygen(path.join(dir, 'other_key'), 'berth-other-client');
  await fs.copyFile(path.join(dir, 'client_key.pub'), path.join(dir, 'authorized_keys'));
  const port = await freePort();
  const user = os.userInfo().username;
  const root = process.getuid?.() === 0;
  // Privilege separation directory, needed when sshd runs as root.
  if (root) await fs.mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path.join(dir, 'host_key')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    `AllowUsers ${user}`,
    ...(root ? ['PermitRootLogin prohibit-password'] : []),
    'LogLevel VERBOSE',
  ].join('\n');
  await fs.writeFile(path.join(dir, 'sshd_config'), `${config}\n`);
  let log = '';
  const child = spawn(sshdPath, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (log.length < 100_000) log += d;
  });
  await waitForPort(port, child, () => log);
  const pub = (name: string) => readFileSync(path.join(dir, name), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  return {
    port,
    user,
    knownHosts: `[127.0.0.1]:${port} ${pub('host_key.pub')}\n`,
    otherHostKnownHosts: `[127.0.0.1]:${port} ${pub('other_host_key.pub')}\n`,
    clientKey: readFileSync(path.join(dir, 'client_key'), 'utf8'),
    otherKey: readFileSync(path.join(dir, 'other_key'), 'utf8'),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

async function rejectsWith(p: Promise<unknown>, check: (err: GitError) => void): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GitError, `expected a GitError, got ${String(err)}`);
    check(err);
    return;
  }
  assert.fail('expected a rejection');
}

describe('git over SSH', { skip }, () => {
  let sshd: Sshd;
  let server: GitServer; // only to create the bare repository; cloned over SSH by path
  let head: string;
  let sshUrl: string;
  const dirs: string[] = [];
  const cacheDir = async () => {
    const d = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-git-ssh-cache-'));
    dirs.push(d);
    return d;
  };

  before(async () => {
    sshd = await startSshd();
    server = await startGitServer();
    head = await server.createRepo('ssh-apps', { 'app.yaml': 'over: ssh\n' });
    await server.commit('ssh-apps', { 'app.yaml': 'over: ssh, tagged\n' }, 'tag', { branch: 'release', tag: 'v1', annotated: true });
    sshUrl = `ssh://${sshd.user}@127.0.0.1:${sshd.port}${server.dir('ssh-apps')}`;
  });

  after(async () => {
    await sshd?.stop();
    await server?.stop();
    for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
  });

  test('fetches with a private key and known hosts; trees and tags work', async () => {
    const dir = await cacheDir();
    const cache = new GitRepositoryCache({ dir });
    const repo = { url: sshUrl, sshPrivateKey: sshd.clientKey, knownHosts: sshd.knownHosts };
    assert.equal(await cache.resolve(repo, 'main'), head);
    assert.equal(await cache.resolve(repo, 'HEAD'), head);
    const v1 = await cache.resolve(repo, 'v1');
    const tree = await cache.tree(repo, v1);
    assert.equal(readFileSync(path.join(tree, 'app.yaml'), 'utf8'), 'over: ssh, tagged\n');
    assert.deepEqual(await fs.readdir(path.join(dir, 'tmp')), [], 'the key file is removed after each operation');
  });

  test('an unknown or changed host key is refused', async () => {
    const cache = new GitRepositoryCache({ dir: await cacheDir() });
    await rejectsWith(cache.resolve({ url: sshUrl, sshPrivateKey: sshd.clientKey, knownHosts: sshd.otherHostKnownHosts }, 'main'), (err) => {
      assert.equal(err.reason, 'host-key');
      assert.match(err.message, /host key verification failed/i);
      assert.ok(!err.message.includes('PRIVATE KEY'));
    });
    await rejectsWith(cache.resolve({ url: sshUrl, sshPrivateKey: sshd.clientKey, knownHosts: 'example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n' }, 'main'), (err) =>
      assert.equal(err.reason, 'host-key'),
    );
    await rejectsWith(cache.resolve({ url: sshUrl, sshPrivateKey: sshd.clientKey }, 'main'), (err) => assert.equal(err.reason, 'invalid'));
  });

  test('a key the server does not accept is "authentication failed"; insecureIgnoreHostKey skips verification', async () => {
    const dir = await cacheDir();
    const cache = new GitRepositoryCache({ dir });
    await rejectsWith(cache.resolve({ url: sshUrl, sshPrivateKey: sshd.otherKey, knownHosts: sshd.knownHosts }, 'main'), (err) => {
      assert.equal(err.reason, 'auth');
      assert.match(err.message, /authentication failed/);
      for (const line of sshd.otherKey.split('\n').filter((l) => l.length > 20)) assert.ok(!err.message.includes(line));
    });
    await rejectsWith(cache.resolve({ url: sshUrl, knownHosts: sshd.knownHosts }, 'main'), (err) => assert.equal(err.reason, 'auth'));
    assert.equal(await cache.resolve({ url: sshUrl, sshPrivateKey: sshd.clientKey, insecureIgnoreHostKey: true }, 'main'), head);
    // Unverified connections use a repository of their own.
    assert.equal((await fs.readdir(path.join(dir, 'repos'))).filter((n) => !n.includes('.')).length, 2);
    assert.ok(existsSync(path.join(dir, 'askpass.sh')));
  });
});
