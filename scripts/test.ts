/**
 * `npm test`: type check, lint, import rules, build the peer tools the suites need, then
 * every test (unit tests beside the code in src/, e2e suites in test/).
 * In CI (CI=true) a peer that cannot be built fails the run; elsewhere the
 * suites needing it skip and say why. test/support/global-setup.ts starts one
 * throwaway PostgreSQL cluster for the run (same CI rule) so suites can run
 * on both databases.
 */
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';
import path from 'node:path';

const ci = process.env.CI === 'true' || process.env.CI === '1';

function run(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  process.stdout.write(`\n==> ${label}\n`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  process.stdout.write(`<== ${label}: ${result.status === 0 ? 'ok' : `exit ${result.status ?? result.signal}`} in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  return result.status ?? 1;
}

const bin = (name: string) => path.join(import.meta.dirname, '..', 'node_modules', '.bin', name);
if (run('typecheck (tsc --noEmit)', bin('tsc'), ['--noEmit']) !== 0) process.exit(1);
if (run('lint (eslint)', bin('eslint'), ['.']) !== 0) process.exit(1);
// Import cycles and the layer order (docs/architecture.md, .dependency-cruiser.js).
if (run('import rules (depcruise)', bin('depcruise'), ['--config', '.dependency-cruiser.js', '--output-type', 'err', 'src', 'test', 'bench', 'scripts']) !== 0) process.exit(1);
// The web UI: install, API types from the OpenAPI document, type check, lint, build (docs/ui.md).
// An API change that breaks the UI fails here; the browser suites serve this build.
if (run('web UI (scripts/build-web.ts)', process.execPath, [path.join(import.meta.dirname, 'build-web.ts')]) !== 0) process.exit(1);

const peers = run('peer tools (test/peers/build-all.sh)', 'bash', ['test/peers/build-all.sh']);
if (peers !== 0) {
  if (ci) {
    process.stderr.write('peer tools failed to build: CI does not skip suites\n');
    process.exit(1);
  }
  process.stderr.write('peer tools failed to build: suites needing them will skip (outside CI only)\n');
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : [...globSync('src/**/*.test.ts'), ...globSync('test/**/*.test.ts')].sort();
const globalSetup = path.join(import.meta.dirname, '..', 'test', 'support', 'global-setup.ts');
const status = run(`tests (${files.length} files)`, process.execPath, ['--test', '--test-concurrency=2', `--test-global-setup=${globalSetup}`, '--test-reporter=spec', ...files]);
process.exit(status);
