import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import { MemoryImageSource } from '../../../../test/support/image-layers.ts';
import { findPeer } from '../../../../test/support/peers.ts';
import { analyzeImage } from '../analyze.ts';

const auditable = findPeer('cargo-auditable');
const dir = mkdtempSync(path.join(tmpdir(), 'berth-rust-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const AUDIT = {
  packages: [
    { name: 'hello', version: '0.1.0', source: 'local', dependencies: [1, 2], root: true },
    { name: 'serde', version: '1.0.100', source: 'crates.io' },
    { name: 'cc', version: '1.0.0', source: 'crates.io', kind: 'build' },
    { name: 'time', version: '0.1.43', source: 'crates.io', kind: 'runtime' },
  ],
};

/** An ELF-looking executable with the compressed audit data among random bytes (and decoy zlib headers). */
function fakeBinary(before: number, after: number): Buffer {
  const noise = randomBytes(before);
  // Decoys: zlib headers that do not inflate to the audit data.
  for (let i = 1000; i < before - 2; i += 7919) {
    noise[i] = 0x78;
    noise[i + 1] = 0xda;
  }
  const decoy = deflateSync(Buffer.from('{"other":1}'));
  return Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), noise, decoy, deflateSync(Buffer.from(JSON.stringify(AUDIT)), { level: 7 }), randomBytes(after)]);
}

describe('rust-binary cataloger (cargo-auditable)', () => {
  for (const [label, before, after] of [
    ['in the middle of a 3 MiB binary', 2 * 1024 * 1024, 1024 * 1024],
    ['at the very end of the file', 300_000, 0],
  ] as const) {
    it(`finds the embedded dependency list ${label}; runtime crates only`, async () => {
      const src = new MemoryImageSource();
      const layer = await src.layer([{ path: 'usr/local/bin/hello', content: fakeBinary(before, after), mode: 0o755 }], 'none');
      const [inv] = await analyzeImage(src, { digest: src.image([layer]) });
      const rust = inv!.packages.filter((p) => p.foundBy === 'rust-binary');
      assert.deepEqual(rust.map((p) => `${p.name}@${p.version}`), ['hello@0.1.0', 'serde@1.0.100', 'time@0.1.43']);
      assert.equal(rust.find((p) => p.name === 'serde')!.purl, 'pkg:cargo/serde@1.0.100');
      assert.deepEqual(inv!.skipped, []);
    });
  }

  it('reads a real binary built by `cargo auditable build`, listing the crates of its Cargo.lock', { skip: auditable instanceof Error ? auditable.message : false }, async () => {
    const project = path.join(dir, 'hello');
    mkdirSync(path.join(project, 'src'), { recursive: true });
    writeFileSync(path.join(project, 'Cargo.toml'), '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nitoa = "=1.0.9"\nsmallvec = "=1.6.0"\n');
    writeFileSync(
      path.join(project, 'src', 'main.rs'),
      'fn main() { let mut b = itoa::Buffer::new(); let v: smallvec::SmallVec<[u8; 4]> = smallvec::SmallVec::new(); println!("{} {}", b.format(42), v.len()); }\n',
    );
    const env = { ...process.env, PATH: `${path.dirname(auditable as string)}:${path.join(process.env.HOME ?? '/root', '.cargo', 'bin')}:${process.env.PATH}`, CARGO_TARGET_DIR: path.join(dir, 'target') };
    execFileSync('cargo', ['auditable', 'build', '--release', '--quiet'], { cwd: project, env, stdio: 'pipe', timeout: 10 * 60_000 });
    // The reference: the lock file cargo wrote, read here independently of the product's parser.
    const lock = readFileSync(path.join(project, 'Cargo.lock'), 'utf8');
    const expected = [...lock.matchAll(/\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"/g)].map((m) => `${m[1]}@${m[2]}`).toSorted();
    const src = new MemoryImageSource();
    const layer = await src.layer([{ path: 'usr/local/bin/hello', content: readFileSync(path.join(dir, 'target', 'release', 'hello')), mode: 0o755 }]);
    const [inv] = await analyzeImage(src, { digest: src.image([layer]) });
    const rust = inv!.packages.filter((p) => p.foundBy === 'rust-binary').map((p) => `${p.name}@${p.version}`);
    assert.deepEqual(rust.toSorted(), expected);
    assert.deepEqual(expected, ['hello@0.1.0', 'itoa@1.0.9', 'smallvec@1.6.0']);
  });

  it('ignores files that are not ELF executables', async () => {
    const src = new MemoryImageSource();
    const body = Buffer.concat([Buffer.from('#!/bin/sh\n'), deflateSync(Buffer.from(JSON.stringify(AUDIT))), randomBytes(8192)]);
    const layer = await src.layer([{ path: 'usr/bin/script', content: body, mode: 0o755 }]);
    const [inv] = await analyzeImage(src, { digest: src.image([layer]) });
    assert.deepEqual(inv!.packages, []);
  });
});
