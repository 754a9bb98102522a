/**
 * The ordering tables checked against the ecosystems' own implementations
 * where this machine has them: `dpkg --compare-versions`, Maven's
 * ComparableVersion (the maven-artifact jar Maven ships) and PEP 440 as pip's
 * vendored `packaging` implements it. Every pair of versions of a table is
 * compared by both Berth and the tool, so a wrong table row fails here as
 * surely as a wrong comparator. The tools come with the machine (Debian's
 * dpkg, the JDK with Maven, CPython with pip; node-semver is installed with Berth):
 * under CI=true a missing one
 * fails; elsewhere the test skips saying why.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { compareVersions, isValidVersion, type VersionScheme } from './index.ts';
import { TABLES } from './tables.ts';

const CI = process.env['CI'] === 'true';

function versionsOf(scheme: VersionScheme): string[] {
  const t = TABLES[scheme];
  return [...new Set([...t.chains.flat(), ...t.equal.flat()])];
}

function unavailable(t: { skip(msg: string): void }, why: string): boolean {
  if (CI) assert.fail(`${why} (required under CI=true)`);
  t.skip(why);
  return true;
}

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

test('dpkg: the table ordered as dpkg --compare-versions orders it', (t) => {
  if (!which('dpkg') && unavailable(t, 'dpkg not found')) return;
  // One dpkg process per comparison: pairs within each chain, the equal pairs, and each chain's ends against the others'.
  const { chains, equal } = TABLES.dpkg;
  const pairs: [string, string][] = [...equal];
  for (const chain of chains) for (let i = 0; i < chain.length; i++) for (let j = i + 1; j < chain.length; j++) pairs.push([chain[i]!, chain[j]!]);
  const ends = chains.flatMap((c) => [c[0]!, c[c.length - 1]!]);
  for (let i = 0; i < ends.length; i++) for (let j = i + 1; j < ends.length; j += 3) pairs.push([ends[i]!, ends[j]!]);
  for (const [a, b] of pairs) {
    const lt = spawnSync('dpkg', ['--compare-versions', a, 'lt', b]).status === 0;
    const want = lt ? -1 : spawnSync('dpkg', ['--compare-versions', a, 'eq', b]).status === 0 ? 0 : 1;
    assert.equal(compareVersions('dpkg', a, b), want, `${a} vs ${b}: dpkg says ${want}`);
  }
  t.diagnostic(`${pairs.length} pairs agree with dpkg`);
});

function mavenArtifactJar(): string | undefined {
  const home = ['/usr/share/maven/lib', `${process.env['MAVEN_HOME'] ?? '/nonexistent'}/lib`].find((d) => existsSync(d));
  if (!home) return undefined;
  const jar = readdirSync(home).find((f) => /^maven-artifact-.*\.jar$/.test(f));
  return jar ? `${home}/${jar}` : undefined;
}

test('Maven: every pair of the table ordered as Maven\'s ComparableVersion orders it', (t) => {
  const jar = mavenArtifactJar();
  if ((!jar || !which('java')) && unavailable(t, 'java or the maven-artifact jar not found')) return;
  const versions = versionsOf('maven');
  // ComparableVersion's main prints "a < b" / "a == b" / "a > b" for each neighbour pair; feed it every pair.
  const args: string[] = [];
  for (let i = 0; i < versions.length; i++) for (let j = i + 1; j < versions.length; j++) args.push(versions[i]!, versions[j]!);
  const out = execFileSync('java', ['-cp', jar!, 'org.apache.maven.artifact.versioning.ComparableVersion', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const results = [...out.matchAll(/^ {3}(\S+) (<|==|>) (\S+)$/gm)];
  assert.equal(results.length, args.length - 1);
  let pairs = 0;
  for (let k = 0; k < args.length; k += 2, pairs++) {
    const m = results[k]!;
    const want = m[2] === '<' ? -1 : m[2] === '==' ? 0 : 1;
    assert.equal(compareVersions('maven', m[1]!, m[3]!), want, `${m[1]} ${m[2]} ${m[3]} (Maven)`);
  }
  t.diagnostic(`${pairs} pairs agree with Maven ComparableVersion`);
});

test('PEP 440: every pair of the table ordered as packaging (pip\'s) orders it', (t) => {
  const script = [
    'import json, sys',
    'try:',
    '    from packaging.version import Version',
    'except ImportError:',
    '    from pip._vendor.packaging.version import Version',
    'vs = json.load(sys.stdin)',
    'print(json.dumps([[(Version(a) > Version(b)) - (Version(a) < Version(b)) for b in vs] for a in vs]))',
  ].join('\n');
  const versions = versionsOf('pep440');
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(versions), encoding: 'utf8' });
  if (run.status !== 0 && unavailable(t, `python3 with packaging not usable: ${run.error?.message ?? run.stderr.slice(0, 200)}`)) return;
  const matrix = JSON.parse(run.stdout) as number[][];
  let pairs = 0;
  for (let i = 0; i < versions.length; i++) {
    for (let j = 0; j < versions.length; j++, pairs++) {
      assert.equal(compareVersions('pep440', versions[i]!, versions[j]!), matrix[i]![j], `${versions[i]} vs ${versions[j]} (packaging)`);
    }
  }
  t.diagnostic(`${pairs} pairs agree with packaging`);
});

test('semver: every pair of the table ordered as node-semver (npm\'s own, a dependency of fastify) orders it', (t) => {
  const semver = createRequire(import.meta.url)('semver') as { valid(v: string): string | null; compare(a: string, b: string): number };
  const versions = versionsOf('semver');
  const usable = versions.filter((v) => semver.valid(v) !== null);
  // node-semver refuses numbers above 2^53 - 1, which the spec allows (and Berth orders), and, when strict, the `=`
  // prefix its loose mode and npm accept: those rows are not checked here.
  assert.deepEqual(
    versions.filter((v) => !usable.includes(v)),
    ['1.2.99999999999999999', '1.2.100000000000000000', '=1.2.3'],
  );
  let pairs = 0;
  for (const a of usable) {
    for (const b of usable) {
      assert.equal(compareVersions('semver', a, b), semver.compare(a, b), `${a} vs ${b} (node-semver)`);
      pairs++;
    }
  }
  t.diagnostic(`${pairs} pairs agree with node-semver`);
});

/** Deterministic random version-like strings over an alphabet (the same strings on every run). */
function randomStrings(count: number, alphabet: string, maxLength: number, seed: number): string[] {
  // mulberry32: small, and exact in JavaScript numbers (Math.imul), unlike a float LCG.
  let s = seed;
  const random = (n: number): number => {
    s = (s + 0x6d2b79f5) | 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) % n;
  };
  return Array.from({ length: count }, () => Array.from({ length: 1 + random(maxLength) }, () => alphabet[random(alphabet.length)]).join(''));
}

test('Maven: 11,175 pairs of random strings ordered as ComparableVersion orders them', (t) => {
  const jar = mavenArtifactJar();
  if ((!jar || !which('java')) && unavailable(t, 'java or the maven-artifact jar not found')) return;
  const vs = randomStrings(150, '0123456789..--__~~^+:!abcdefrpv', 12, 7);
  const args: string[] = [];
  for (let i = 0; i < vs.length; i++) for (let j = i + 1; j < vs.length; j++) args.push(vs[i]!, vs[j]!);
  const out = execFileSync('java', ['-cp', jar!, 'org.apache.maven.artifact.versioning.ComparableVersion', ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const results = out.split('\n').filter((l) => l.startsWith('   '));
  assert.equal(results.length, args.length - 1);
  for (let k = 0; k < args.length; k += 2) {
    const line = results[k]!;
    const want = line.includes(' < ') ? -1 : line.includes(' == ') ? 0 : 1;
    assert.equal(compareVersions('maven', args[k]!, args[k + 1]!), want, line);
  }
  t.diagnostic(`${args.length / 2} pairs agree with Maven ComparableVersion`);
});

test('PEP 440: random version-like strings accepted and ordered as packaging accepts and orders them', (t) => {
  const vs = [...new Set(randomStrings(400, '0123456789.....abcrpostdevlv-_+!', 10, 11))];
  const script = [
    'import json, sys',
    'try:',
    '    from packaging.version import Version, InvalidVersion',
    'except ImportError:',
    '    from pip._vendor.packaging.version import Version, InvalidVersion',
    'def parse(v):',
    '    try:',
    '        return Version(v)',
    '    except InvalidVersion:',
    '        return None',
    'vs = json.load(sys.stdin)',
    'ps = [parse(v) for v in vs]',
    'ok = [p is not None for p in ps]',
    'good = [p for p in ps if p is not None]',
    'print(json.dumps({"ok": ok, "cmp": [[(a > b) - (a < b) for b in good] for a in good]}))',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(vs), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0 && unavailable(t, `python3 with packaging not usable: ${run.stderr.slice(0, 200)}`)) return;
  const { ok, cmp } = JSON.parse(run.stdout) as { ok: boolean[]; cmp: number[][] };
  vs.forEach((v, i) => assert.equal(isValidVersion('pep440', v), ok[i], `${JSON.stringify(v)} valid per packaging: ${ok[i]}`));
  const good = vs.filter((_, i) => ok[i]);
  for (let i = 0; i < good.length; i++) for (let j = 0; j < good.length; j++) assert.equal(compareVersions('pep440', good[i]!, good[j]!), cmp[i]![j], `${good[i]} vs ${good[j]}`);
  t.diagnostic(`${vs.length} strings, ${good.length} valid, ${good.length ** 2} pairs agree with packaging`);
});

/** Compares pairs with rpm's own `rpm.vercmp` (rpm's Lua interface to rpmverCmp on EVR strings), in one process. */
function rpmVercmp(pairs: [string, string][]): number[] {
  const lua = (s: string): string => `"${[...Buffer.from(s)].map((b) => `\\${b}`).join('')}"`;
  const results: number[] = [];
  // In chunks: the whole script is one command-line argument.
  for (let i = 0; i < pairs.length; i += 500) {
    const body = pairs
      .slice(i, i + 500)
      .map(([a, b]) => `print(rpm.vercmp(${lua(a)}, ${lua(b)}) .. ",")`)
      .join(' ');
    const out = execFileSync('rpm', ['--eval', `%{lua: ${body}}`], { encoding: 'utf8', maxBuffer: 64 << 20 });
    // rpm's Lua print() does not end lines: each result carries its own comma.
    results.push(...out.replace(/\s+/g, '').split(',').filter(Boolean).map(Number));
  }
  return results;
}

test('rpm: the table and random strings ordered as rpm.vercmp orders them', (t) => {
  // rpm comes from the project's peer script (test/peers/rpm.sh, run by build-all.sh); without that script it is optional.
  if (!which('rpm') && (existsSync(new URL('../../../../test/peers/rpm.sh', import.meta.url)) || !CI) && unavailable(t, 'rpm not found')) return;
  if (!which('rpm')) return t.skip('rpm not found and not provided by this tree');
  const table = versionsOf('rpm').filter((v) => !v.includes(':') || /^\d+:/.test(v));
  const random = randomStrings(200, '0123456789.._-~~^^abrcz', 10, 5).filter((v) => !v.startsWith('-'));
  const versions = [...new Set([...table, ...random])];
  const pairs: [string, string][] = [];
  for (let i = 0; i < versions.length; i++) for (let j = i + 1; j < versions.length; j++) pairs.push([versions[i]!, versions[j]!]);
  const want = rpmVercmp(pairs);
  assert.equal(want.length, pairs.length);
  pairs.forEach(([a, b], k) => assert.equal(compareVersions('rpm', a, b), want[k], `${a} vs ${b}: rpm says ${want[k]}`));
  t.diagnostic(`${pairs.length} pairs agree with rpm.vercmp`);
});

test('dpkg: random version strings ordered as dpkg orders them', (t) => {
  if (!which('dpkg') && unavailable(t, 'dpkg not found')) return;
  const strings = randomStrings(60, '0123456789..~~++-ab', 9, 3)
    .map((s) => `${s.length % 3}${s}`)
    .filter((s) => isValidVersion('dpkg', s) && !s.endsWith('-'));
  let pairs = 0;
  for (let i = 0; i + 1 < strings.length; i += 1) {
    for (const j of [i + 1, strings.length - 1 - i]) {
      const [a, b] = [strings[i]!, strings[j]!];
      const lt = spawnSync('dpkg', ['--compare-versions', a, 'lt', b]);
      // dpkg exits 0 (true) or 1 (false); anything else is its refusal of the string, which this test does not judge.
      if (lt.status !== 0 && lt.status !== 1) continue;
      const want = lt.status === 0 ? -1 : spawnSync('dpkg', ['--compare-versions', a, 'eq', b]).status === 0 ? 0 : 1;
      assert.equal(compareVersions('dpkg', a, b), want, `${a} vs ${b}: dpkg says ${want}`);
      pairs++;
    }
  }
  assert.ok(pairs >= 60, `${pairs} pairs compared`);
  t.diagnostic(`${pairs} random pairs agree with dpkg`);
});
