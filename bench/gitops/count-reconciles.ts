/**
 * Preloaded into the Berth process of `npm run bench:gitops` (node --import)
 * to count application comparisons exactly and at no cost: every comparison
 * of the delivery engine (a reconcile, or the comparison a sync operation
 * starts with) resolves the application's revision through the shared
 * GitRepositoryCache once, so this wraps GitRepositoryCache.prototype.resolve
 * with a counter. It also counts child processes by executable (git, kustomize,
 * helm), wrapping node:child_process spawn. On SIGUSR2 the counts (and a
 * sequence number) are written to BENCH_RECONCILE_COUNT_FILE. Nothing else of
 * Berth is touched.
 */
import childProcess from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { GitRepositoryCache } from '../../src/gitops/git/repo-cache.ts';

const file = process.env.BENCH_RECONCILE_COUNT_FILE;
let count = 0;
let seq = 0;
const spawns: Record<string, number> = {};

const resolve = GitRepositoryCache.prototype.resolve; // eslint-disable-line @typescript-eslint/unbound-method
GitRepositoryCache.prototype.resolve = function (this: GitRepositoryCache, ...args: Parameters<typeof resolve>) {
  count++;
  return resolve.apply(this, args);
};

const spawn = childProcess.spawn;
childProcess.spawn = function (this: unknown, ...args: unknown[]) {
  const command = path.basename(String(args[0]));
  spawns[command] = (spawns[command] ?? 0) + 1;
  return (spawn as (...a: unknown[]) => childProcess.ChildProcess).apply(this, args);
} as typeof childProcess.spawn;
// Modules importing { spawn } from 'node:child_process' see the wrapper too.
syncBuiltinESMExports();

if (file) {
  process.on('SIGUSR2', () => {
    seq++;
    // Written aside and renamed: the reader never sees a half-written file.
    writeFileSync(`${file}.tmp`, JSON.stringify({ seq, count, spawns, at: Date.now() }));
    renameSync(`${file}.tmp`, file);
  });
}
