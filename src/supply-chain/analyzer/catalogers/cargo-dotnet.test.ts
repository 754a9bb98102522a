/**
 * Rust Cargo.lock (made by `cargo generate-lockfile`, Cargo 1.x, lock format 4)
 * and .NET deps.json (hand-written in the SDK's format: no .NET SDK on this
 * machine), with malformed inputs.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { catalog, fixture, ids } from '../../../../test/support/catalogers.ts';
import { cargoLockCataloger } from './cargo.ts';
import { dotnetDepsCataloger } from './dotnet.ts';

describe('cargo-lock', () => {
  it('every [[package]] of a lock written by cargo (the workspace crate included, as syft does)', async () => {
    const r = await catalog(cargoLockCataloger, '/src/app/Cargo.lock', fixture('rust', 'Cargo.lock'));
    assert.deepEqual(ids(r.facts), ['base64@0.13.0', 'fixture-crate@0.1.0', 'smallvec@1.6.0']);
    assert.ok(r.facts.every((f) => f.type === 'cargo'));
    assert.deepEqual(r.skipped, []);
  });

  it('lock format 1 with [metadata]; a cut file', async () => {
    const v1 = '[[package]]\nname = "libc"\nversion = "0.2.50"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n\n[metadata]\n"checksum libc 0.2.50 (registry+https://github.com/rust-lang/crates.io-index)" = "aa"\n';
    assert.deepEqual(ids((await catalog(cargoLockCataloger, '/Cargo.lock', v1)).facts), ['libc@0.2.50']);
    const cut = await catalog(cargoLockCataloger, '/Cargo.lock', '[[package]]\nname = "a"\nversion = "1.0.0"\ndependencies = [\n "b",\n');
    assert.match(cut.skipped[0]!.reason, /malformed Cargo.lock: value of dependencies at line 4 never closes/);
  });
});

describe('dotnet-deps', () => {
  it('NuGet packages and the runtime pack; the projects are the application itself', async () => {
    const r = await catalog(dotnetDepsCataloger, '/app/Fixture.App.deps.json', fixture('dotnet', 'Fixture.App.deps.json'));
    assert.deepEqual(ids(r.facts), ['Microsoft.NETCore.App.Runtime.linux-x64@6.0.0', 'Newtonsoft.Json@12.0.1', 'System.Text.Encodings.Web@4.5.0']);
    assert.ok(r.facts.every((f) => f.type === 'nuget'));
  });

  it('malformed: not JSON, no libraries, odd keys', async () => {
    assert.match((await catalog(dotnetDepsCataloger, '/a/x.deps.json', '{')).skipped[0]!.reason, /malformed JSON/);
    assert.match((await catalog(dotnetDepsCataloger, '/a/x.deps.json', '{"targets":{}}')).skipped[0]!.reason, /no "libraries"/);
    const odd = { libraries: { NoVersion: { type: 'package' }, 'Trailing/': { type: 'package' }, 'A/1.0': 'x', 'B/2.0': { type: 'package' } } };
    assert.deepEqual(ids((await catalog(dotnetDepsCataloger, '/a/x.deps.json', JSON.stringify(odd))).facts), ['B@2.0']);
  });
});
