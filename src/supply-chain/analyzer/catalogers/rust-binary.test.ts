import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import { MemoryImageSource } from '../../../../test/support/image-layers.ts';
import { analyzeImage } from '../analyze.ts';

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

  it('ignores files that are not ELF executables', async () => {
    const src = new MemoryImageSource();
    const body = Buffer.concat([Buffer.from('#!/bin/sh\n'), deflateSync(Buffer.from(JSON.stringify(AUDIT))), randomBytes(8192)]);
    const layer = await src.layer([{ path: 'usr/bin/script', content: body, mode: 0o755 }]);
    const [inv] = await analyzeImage(src, { digest: src.image([layer]) });
    assert.deepEqual(inv!.packages, []);
  });
});
