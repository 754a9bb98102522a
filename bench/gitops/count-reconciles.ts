/**
 * Preloaded into the Berth process of `npm run bench:gitops` (node --import)
 * to count application comparisons exactly and at no cost: every comparison
 * of the delivery engine (a reconcile, or the comparison a sync operation
 * starts with) resolves the application's revision through the shared
 * GitRepositoryCache once, so this wraps GitRepositoryCache.prototype.resolve
 * with a counter. On SIGUSR2 the count (and a sequence number) is written to
 * BENCH_RECONCILE_COUNT_FILE. Nothing else of Berth is touched.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { GitRepositoryCache } from '../../src/gitops/git/repo-cache.ts';

const file = process.env.BENCH_RECONCILE_COUNT_FILE;
let count = 0;
let seq = 0;
const resolve = GitRepositoryCache.prototype.resolve; // eslint-disable-line @typescript-eslint/unbound-method
GitRepositoryCache.prototype.resolve = function (this: GitRepositoryCache, ...args: Parameters<typeof resolve>) {
  count++;
  return resolve.apply(this, args);
};
if (file) {
  process.on('SIGUSR2', () => {
    seq++;
    // Written aside and renamed: the reader never sees a half-written file.
    writeFileSync(`${file}.tmp`, JSON.stringify({ seq, count, at: Date.now() }));
    renameSync(`${file}.tmp`, file);
  });
}
