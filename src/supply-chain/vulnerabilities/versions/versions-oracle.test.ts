/**
 * The ordering tables checked against the ecosystems' own implementations
 * where this machine has them: `dpkg --compare-versions`, Maven's
 * ComparableVersion (the maven-artifact jar Maven ships) and PEP 440 as pip's
 * vendored `packaging` implements it. Every pair of versions of a table is
 * compared by both Berth and the tool, so a wrong table row fails here as
 * surely as a wrong comparator. The tools come with the machine (Debian's
 * dpkg, the JDK with Maven, CPython with pip): under CI=true a missing one
 * fails; elsewhere the test skips saying why.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { compareVersions, type VersionScheme } from './index.ts';
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
