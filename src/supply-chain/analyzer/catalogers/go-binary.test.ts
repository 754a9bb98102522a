import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MemoryImageSource } from '../../../../test/support/image-layers.ts';
import { findPeer } from '../../../../test/support/peers.ts';
import { analyzeImage } from '../analyze.ts';
import { goPackages } from './go-binary.ts';

const crane = findPeer('crane');

/** What the Go toolchain itself reads from the binary: `go version -m` (the reference, not the product's parser). */
function goVersionM(binary: string): { goVersion: string; mods: string[] } {
  const out = execFileSync('go', ['version', '-m', binary], { encoding: 'utf8' });
  const lines = out.split('\n');
  const goVersion = lines[0]!.split(': ')[1]!.trim();
  const mods: string[] = [];
  for (const line of lines.slice(1)) {
    const f = line.trim().split('\t');
    if (f[0] === 'mod' || f[0] === 'dep') mods.push(`${f[1]}@${f[2]}`);
    else if (f[0] === '=>') mods[mods.length - 1] = `${f[1]}@${f[2]}`;
  }
  return { goVersion, mods };
}

describe('go-binary cataloger', () => {
  it('finds main module, dependencies and stdlib in a real Go binary (crane), as `go version -m` lists them', { skip: crane instanceof Error ? crane.message : false }, async () => {
    const path = crane as string;
    const expected = goVersionM(path);
    const src = new MemoryImageSource();
    const layer = await src.layer([{ path: 'ko-app/crane', content: readFileSync(path), mode: 0o755 }, { path: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n', mode: 0o755 }], 'none');
    const [inv] = await analyzeImage(src, { digest: src.image([layer]) });
    const got = inv!.packages.filter((p) => p.name !== 'stdlib').map((p) => `${p.name}@${p.version}`);
    assert.deepEqual(got.toSorted(), expected.mods.toSorted());
    const stdlib = inv!.packages.find((p) => p.name === 'stdlib')!;
    assert.equal(stdlib.version, expected.goVersion.split(' ')[0]);
    assert.equal(stdlib.purl, `pkg:golang/stdlib@${stdlib.version}`);
    const main = inv!.packages.find((p) => p.name === 'github.com/google/go-containerregistry')!;
    assert.equal(main.foundBy, 'go-binary');
    assert.equal(main.location, '/ko-app/crane');
    assert.match(main.purl, /^pkg:golang\/github.com\/google\/go-containerregistry@/);
    assert.deepEqual(inv!.skipped, []);
  });

  it('applies `=>` replacements and keeps the required version for a local-directory replacement', () => {
    const modinfo = [
      'path\texample.com/app',
      'mod\texample.com/app\t(devel)\t',
      'dep\tgolang.org/x/net\tv0.1.0\th1:abc=',
      '=>\tgithub.com/fork/net\tv0.1.1\th1:def=',
      'dep\texample.com/local\tv1.0.0\t',
      '=>\t../local\t\t',
      'build\t-compiler=gc',
    ].join('\n');
    assert.deepEqual(
      goPackages('go1.22.3 X:boringcrypto', modinfo).map((p) => `${p.name}@${p.version}`),
      ['example.com/app@(devel)', 'github.com/fork/net@v0.1.1', 'example.com/local@v1.0.0', 'stdlib@go1.22.3'],
    );
  });
});
