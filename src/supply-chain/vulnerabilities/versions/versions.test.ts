import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidVersionError, VERSION_SCHEMES, compareVersions, isValidVersion, normalizePep440, schemeOf } from './index.ts';
import { TABLES } from './tables.ts';

function expectOrder(scheme: (typeof VERSION_SCHEMES)[number], a: string, b: string, want: number): void {
  const got = compareVersions(scheme, a, b);
  const back = compareVersions(scheme, b, a);
  const sym = { [-1]: '<', 0: '=', 1: '>' } as Record<number, string>;
  assert.equal(got, want, `${scheme}: ${a} ${sym[want]} ${b}, got ${sym[got]}`);
  assert.equal(back, want === 0 ? 0 : -want, `${scheme}: ${b} ${sym[-want]} ${a} (antisymmetry), got ${sym[back]}`);
}

for (const scheme of VERSION_SCHEMES) {
  const table = TABLES[scheme];
  describe(`${scheme} ordering`, () => {
    test('each chain ascends, every pair (so the order is also transitive over the chain)', () => {
      let pairs = 0;
      for (const chain of table.chains) {
        for (let i = 0; i < chain.length; i++) {
          expectOrder(scheme, chain[i]!, chain[i]!, 0);
          for (let j = i + 1; j < chain.length; j++, pairs++) expectOrder(scheme, chain[i]!, chain[j]!, -1);
        }
      }
      assert.ok(pairs >= table.chains.length);
    });
    test('equal spellings compare equal', () => {
      for (const [a, b] of table.equal) expectOrder(scheme, a, b, 0);
    });
    test('strings that are not versions are refused with InvalidVersionError', () => {
      for (const bad of table.invalid) {
        assert.equal(isValidVersion(scheme, bad), false, `${scheme}: ${JSON.stringify(bad)} is not valid`);
        if (scheme !== 'apk' || bad === '' || !/^\d/.test(bad)) {
          assert.throws(() => compareVersions(scheme, bad, '1.0.0'), InvalidVersionError, `${scheme}: ${JSON.stringify(bad)} throws`);
        }
      }
      for (const chain of table.chains) for (const v of chain) assert.equal(isValidVersion(scheme, v), true, `${scheme}: ${v} is valid`);
    });
    test('hostile input is bounded: a 100 kB string is refused, not parsed', () => {
      const long = '1.'.repeat(50_000) + '1';
      assert.throws(() => compareVersions(scheme, long, '1.0.0'), InvalidVersionError);
    });
  });
}

test('sorting with compareVersions gives the documented order whatever the input order', () => {
  const chain = TABLES.pep440.chains[1]!;
  const shuffled = [...chain].reverse();
  shuffled.sort((a, b) => compareVersions('pep440', a, b));
  assert.deepEqual(shuffled, chain);
});

test('apk compares up to an invalid tail, as apk-tools does (1.0 < 1.0bc), while isValidVersion refuses it', () => {
  assert.equal(compareVersions('apk', '1.0', '1.0bc'), -1);
  assert.equal(isValidVersion('apk', '1.0bc'), false);
});

test('PEP 440 canonical form', () => {
  assert.equal(normalizePep440('1.0-ALPHA.1'), '1.0a1');
  assert.equal(normalizePep440('v2013.01.02'), '2013.1.2');
  assert.equal(normalizePep440('1.0-1'), '1.0.post1');
  assert.equal(normalizePep440('1!2.0.DEV3+Ubuntu-1'), '1!2.0.dev3+ubuntu.1');
});

test('schemeOf maps OSV ecosystem names (with releases) to schemes', () => {
  const cases: [string, string | undefined][] = [
    ['Debian:12', 'dpkg'],
    ['Ubuntu:22.04:LTS', 'dpkg'],
    ['Ubuntu:Pro:18.04:LTS', 'dpkg'],
    ['Alpine:v3.19', 'apk'],
    ['Red Hat:enterprise_linux:9::appstream', 'rpm'],
    ['Rocky Linux:9', 'rpm'],
    ['AlmaLinux:8', 'rpm'],
    ['npm', 'semver'],
    ['crates.io', 'semver'],
    ['Go', 'go'],
    ['PyPI', 'pep440'],
    ['Maven', 'maven'],
    ['RubyGems', 'rubygems'],
    ['NuGet', 'nuget'],
    ['Packagist', undefined],
    ['GIT', undefined],
  ];
  for (const [eco, want] of cases) assert.equal(schemeOf(eco), want, eco);
});

test('random strings: every scheme either refuses them with InvalidVersionError or orders them consistently', () => {
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) % n;
  };
  const alphabet = '0123456789..--__~~^+:!abcdefrpv';
  const strings = Array.from({ length: 300 }, () => Array.from({ length: 1 + random(12) }, () => alphabet[random(alphabet.length)]).join(''));
  for (const scheme of VERSION_SCHEMES) {
    const valid = strings.filter((s) => isValidVersion(scheme, s));
    for (const s of strings.filter((x) => !valid.includes(x))) {
      try {
        compareVersions(scheme, s, '1.0.0');
      } catch (err) {
        assert.ok(err instanceof InvalidVersionError, `${scheme}: ${s} throws only InvalidVersionError`);
      }
    }
    const cmp = (a: string, b: string): number => compareVersions(scheme, a, b);
    for (const a of valid) {
      for (const b of valid) {
        const ab = cmp(a, b);
        assert.ok(ab === -1 || ab === 0 || ab === 1);
        assert.equal(cmp(b, a), ab === 0 ? 0 : -ab, `${scheme}: ${a} vs ${b} antisymmetric`);
      }
    }
    // Transitivity: sorting then checking every later element is not lower than an earlier one. Not for Maven:
    // ComparableVersion itself is not transitive on such strings (Maven 3.8.7: r < .b1:4_6r~b~_ < - < r), and
    // Berth orders as Maven does (versions-oracle.test.ts compares 11,175 random pairs with it).
    if (scheme === 'maven') continue;
    const sorted = [...valid].sort(cmp);
    for (let i = 0; i < sorted.length; i++) for (let j = i + 1; j < sorted.length; j++) assert.ok(cmp(sorted[i]!, sorted[j]!) <= 0, `${scheme}: ${sorted[i]} <= ${sorted[j]}`);
  }
});
