/**
 * Builds the web UI into web/dist (docs/ui.md), skipping the work that is already done:
 * 1. `npm ci --prefix web` when web/node_modules is missing or older than web/package-lock.json;
 * 2. regenerate the API types from the OpenAPI document (scripts/gen-api-types.ts);
 * 3. unless the stamp (hash of web sources, lock file, generated schema) is unchanged:
 *    `tsc -p web`, ESLint on web/, `vite build` → web/dist, write the stamp;
 * 4. print the gzipped size of what a browser loads.
 * So an API change that breaks the UI fails this script, and `npm test` runs it.
 *
 * --types-only (web:types, web:dev): steps 1 and 2 only.
 * --force: build even when the stamp matches.
 * --best-effort (npm start): a failure is reported but exits 0, so Berth still serves (its
 * `/` then says the UI is not built); and ESLint is left out (serving does not need it, it is
 * the slowest step). The stamp records whether the tree was linted, so `npm test` still lints
 * a tree `npm start` built.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateApiTypes } from './gen-api-types.ts';

const root = path.join(import.meta.dirname, '..');
const web = path.join(root, 'web');
const dist = path.join(web, 'dist');
const stampFile = path.join(dist, '.build-stamp');
const installStamp = path.join(web, 'node_modules', '.berth-lock-hash');
const bestEffort = process.argv.includes('--best-effort');
const force = process.argv.includes('--force');
/** `npm run web:types` and `web:dev`: install when needed and regenerate the types, no build. */
const typesOnly = process.argv.includes('--types-only');

function run(label: string, command: string, args: string[], cwd = root): void {
  const started = Date.now();
  const r = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${label} failed (exit ${r.status ?? r.signal})`);
  process.stdout.write(`web: ${label} ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}

function sha(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function files(dir: string, skip: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && !skip(path.join(e.parentPath, e.name)))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** Everything the build reads. */
function sourceHash(): string {
  const inputs = [
    ...files(path.join(web, 'src'), (f) => f.endsWith('openapi.json')),
    ...files(path.join(web, 'public'), () => false),
    ...['index.html', 'package-lock.json', 'tsconfig.json', 'vite.config.ts', 'eslint.config.js'].map((f) => path.join(web, f)),
  ];
  const h = createHash('sha256');
  for (const f of inputs) h.update(path.relative(web, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

function ensureInstalled(): void {
  const lock = sha(readFileSync(path.join(web, 'package-lock.json')));
  const installed = existsSync(installStamp) ? readFileSync(installStamp, 'utf8') : '';
  if (installed === lock) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  run('npm ci', npm, ['ci', '--prefix', web, '--no-audit', '--no-fund']);
  writeFileSync(installStamp, lock);
}

/**
 * Gzipped bytes: `entry` is what every first visit downloads (index.html and the script and
 * style sheet it names); views load their own chunks on first use; `total` is everything.
 */
export function gzippedSize(): { entry: number; total: number } {
  const gz = (f: string) => gzipSync(readFileSync(f), { level: 9 }).length;
  const all = files(dist, (f) => !/\.(js|css|html)$/.test(f));
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const named = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => path.join(dist, m[1]!));
  return { entry: gz(path.join(dist, 'index.html')) + named.reduce((a, f) => a + gz(f), 0), total: all.reduce((a, f) => a + gz(f), 0) };
}

async function build(): Promise<void> {
  const started = Date.now();
  ensureInstalled();
  const t = Date.now();
  await generateApiTypes();
  process.stdout.write(`web: API types ${((Date.now() - t) / 1000).toFixed(1)}s\n`);
  if (typesOnly) return;
  const stamp = sourceHash();
  const lint = !bestEffort;
  const bin = (name: string, from = web) => path.join(from, 'node_modules', '.bin', name);
  const eslint = () => run('lint (eslint web)', bin('eslint', root), ['--max-warnings=0', '.'], web);
  const previous = existsSync(path.join(dist, 'index.html')) && existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : '';
  if (!force && (previous === `${stamp} linted` || (previous === `${stamp} unlinted` && !lint))) {
    process.stdout.write('web: web/dist is up to date\n');
    return;
  }
  if (!force && previous === `${stamp} unlinted`) {
    eslint();
    writeFileSync(stampFile, `${stamp} linted`);
    return;
  }
  run('type check (tsc -p web)', bin('tsc'), ['-p', web]);
  if (lint) eslint();
  run('vite build', bin('vite'), ['build', '--logLevel', 'warn'], web);
  writeFileSync(stampFile, `${stamp} ${lint ? 'linted' : 'unlinted'}`);
  const size = gzippedSize();
  process.stdout.write(`web: built web/dist in ${((Date.now() - started) / 1000).toFixed(1)}s; gzipped: first load ${(size.entry / 1024).toFixed(1)} KiB, all chunks ${(size.total / 1024).toFixed(1)} KiB\n`);
}

if (import.meta.main) {
  try {
    await build();
  } catch (err) {
    process.stderr.write(`web: ${(err as Error).message}\n`);
    if (!bestEffort) process.exit(1);
    process.stderr.write('web: serving without a fresh UI build (see docs/ui.md)\n');
  }
}
