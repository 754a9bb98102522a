/**
 * The SBOM writers: both documents validate against the published JSON
 * schemas (test/fixtures/sbom-schemas, see its README), carry every
 * package's purl, and depend only on their inputs apart from the timestamp
 * and serial.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Inventory, Package } from '../types.ts';
import { toCycloneDx } from './cyclonedx.ts';
import { toSpdx } from './spdx.ts';
import { isSpdxExpression, licenseExpression } from './common.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const schemaDir = new URL('../../../test/fixtures/sbom-schemas/', import.meta.url);
const readSchema = (name: string): object => JSON.parse(readFileSync(new URL(name, schemaDir), 'utf8')) as object;

function validator(main: string, extra: string[]): (doc: unknown) => void {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // ajv-formats has no IRI formats (bom-1.6 uses iri-reference for URLs): checked as a URI reference relative to a base.
  ajv.addFormat('iri-reference', (s: string) => URL.canParse(s, 'http://base.invalid/'));
  for (const e of extra) ajv.addSchema(readSchema(e));
  const validate = ajv.compile(readSchema(main));
  return (doc) => {
    const ok = validate(doc);
    assert.ok(ok, `schema errors: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`);
  };
}
const validateCycloneDx = validator('bom-1.6.schema.json', ['spdx.schema.json', 'jsf-0.82.schema.json']);
const validateSpdx = validator('spdx-2.3.schema.json', []);

const LAYER = 'sha256:' + 'a'.repeat(64);
function pkg(p: Partial<Package> & Pick<Package, 'type' | 'name' | 'version' | 'purl'>): Package {
  return { location: '/var/lib/dpkg/status', layer: LAYER, foundBy: 'dpkg', ...p };
}

const debian: Inventory = {
  manifestDigest: 'sha256:' + '1'.repeat(64),
  platform: { os: 'linux', architecture: 'amd64' },
  distro: { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
  packages: [
    pkg({ type: 'deb', name: 'libssl3', version: '3.0.11-1~deb12u2', purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12', source: { name: 'openssl', version: '3.0.11-1~deb12u2' }, arch: 'amd64', licenses: ['Apache-2.0'] }),
    pkg({ type: 'deb', name: 'bash', version: '5.2.15-2+b2', purl: 'pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12', licenses: ['GPL-3.0-or-later', 'GPL version 3 or later (free text)'] }),
    pkg({ type: 'npm', name: '@babel/core', version: '7.0.0', purl: 'pkg:npm/%40babel/core@7.0.0', location: '/app/package-lock.json', foundBy: 'npm-lock', licenses: ['MIT'] }),
    pkg({ type: 'maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', location: '/app/app.war', foundBy: 'java-archive', licenses: ['Apache-2.0 OR MIT'] }),
    // The same package found in two files: two components, unique refs.
    pkg({ type: 'pypi', name: 'requests', version: '2.19.0', purl: 'pkg:pypi/requests@2.19.0', location: '/usr/lib/python3/dist-packages/requests-2.19.0.dist-info/METADATA', foundBy: 'python-dist', licenses: ['Apache 2.0'] }),
    pkg({ type: 'pypi', name: 'requests', version: '2.19.0', purl: 'pkg:pypi/requests@2.19.0', location: '/app/requirements.txt', foundBy: 'python-requirements' }),
    pkg({ type: 'golang', name: 'stdlib', version: 'go1.20.1', purl: 'pkg:golang/stdlib@go1.20.1', location: '/usr/local/bin/app', foundBy: 'go-binary', licenses: ['LicenseRef-Go (BSD-style)'] }),
  ],
  skipped: [],
  stats: { layers: 2, entries: 100, bytesRead: 1000, durationMs: 5 },
};
const arm: Inventory = { ...debian, manifestDigest: 'sha256:' + '2'.repeat(64), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, packages: debian.packages.slice(0, 2) };
const alpineNoDistro: Inventory = { manifestDigest: 'sha256:' + '3'.repeat(64), packages: [], skipped: [], stats: { layers: 1, entries: 0, bytesRead: 0, durationMs: 0 } };
const subject = { repository: 'library/app', digest: 'sha256:' + 'f'.repeat(64), tags: ['v1', '1.0'], registry: 'berth.example:5000' };
const fixed = { timestamp: '2026-01-02T03:04:05Z', uuid: '3fa85f64-5717-4562-b3fc-2c963f66afa6', toolVersion: '9.9.9' };

test('CycloneDX 1.6: valid against the published schema, one component per package found, purls kept', () => {
  const doc = toCycloneDx([debian], subject, fixed) as { components: { purl?: string; 'bom-ref': string; type: string; licenses?: unknown[] }[]; metadata: { component: { purl: string } }; dependencies: { ref: string; dependsOn: string[] }[]; serialNumber: string };
  validateCycloneDx(doc);
  const libs = doc.components.filter((c) => c.type === 'library');
  assert.equal(libs.length, debian.packages.length);
  assert.deepEqual(new Set(libs.map((c) => c.purl)), new Set(debian.packages.map((p) => p.purl)));
  assert.equal(new Set(doc.components.map((c) => c['bom-ref'])).size, doc.components.length, 'bom-refs unique');
  assert.equal(doc.components.filter((c) => c.type === 'operating-system').length, 1);
  assert.equal(doc.metadata.component.purl, 'pkg:oci/app@sha256:' + 'f'.repeat(64) + '?repository_url=berth.example%3A5000%2Flibrary%2Fapp&tag=1.0');
  assert.equal(doc.dependencies[0]!.dependsOn.length, doc.components.length);
  assert.equal(doc.serialNumber, `urn:uuid:${fixed.uuid}`);
  const babel = doc.components.find((c) => c.purl === 'pkg:npm/%40babel/core@7.0.0') as unknown as { group: string; name: string; licenses: unknown };
  assert.equal(babel.group, '@babel');
  assert.equal(babel.name, 'core');
  assert.deepEqual(babel.licenses, [{ license: { id: 'MIT' } }]);
});

test('CycloneDX: several platforms, no distro, no packages all stay valid', () => {
  validateCycloneDx(toCycloneDx([debian, arm, alpineNoDistro], subject, fixed));
  validateCycloneDx(toCycloneDx([alpineNoDistro], { repository: 'x', digest: 'sha256:' + '0'.repeat(64), tags: [] }));
  validateCycloneDx(toCycloneDx([], subject));
});

test('SPDX 2.3: valid against the published schema, image DESCRIBED and CONTAINS each package', () => {
  const doc = toSpdx([debian], subject, fixed) as { packages: { SPDXID: string; externalRefs?: { referenceLocator: string }[]; primaryPackagePurpose: string; licenseDeclared: string; licenseComments?: string }[]; relationships: { relationshipType: string }[]; documentNamespace: string };
  validateSpdx(doc);
  const libs = doc.packages.filter((p) => p.primaryPackagePurpose === 'LIBRARY');
  assert.equal(libs.length, debian.packages.length);
  assert.deepEqual(new Set(libs.map((p) => p.externalRefs![0]!.referenceLocator)), new Set(debian.packages.map((p) => p.purl)));
  assert.equal(new Set(doc.packages.map((p) => p.SPDXID)).size, doc.packages.length, 'SPDXIDs unique');
  for (const p of doc.packages) assert.match(p.SPDXID, /^SPDXRef-[A-Za-z0-9.-]+$/);
  assert.equal(doc.relationships.filter((r) => r.relationshipType === 'DESCRIBES').length, 1);
  assert.equal(doc.relationships.filter((r) => r.relationshipType === 'CONTAINS').length, doc.packages.length - 1);
  const bash = libs.find((p) => p.externalRefs![0]!.referenceLocator.startsWith('pkg:deb/debian/bash'))!;
  assert.equal(bash.licenseDeclared, 'NOASSERTION', 'free text is no SPDX expression');
  assert.match(bash.licenseComments!, /GPL version 3 or later/);
  const log4j = libs.find((p) => p.externalRefs![0]!.referenceLocator.includes('log4j'))!;
  assert.equal(log4j.licenseDeclared, 'Apache-2.0 OR MIT');
  assert.equal(doc.documentNamespace, `urn:uuid:${fixed.uuid}`);
});

test('SPDX: several platforms, no distro, no packages all stay valid', () => {
  validateSpdx(toSpdx([debian, arm, alpineNoDistro], subject, fixed));
  validateSpdx(toSpdx([], { repository: 'x', digest: 'sha256:' + '0'.repeat(64), tags: [] }));
});

test('deterministic apart from timestamp and serial: input order does not matter', () => {
  const shuffled: Inventory = { ...debian, packages: [...debian.packages].reverse() };
  assert.deepEqual(toCycloneDx([debian, arm], subject, fixed), toCycloneDx([arm, shuffled], subject, fixed));
  assert.deepEqual(toSpdx([debian, arm], subject, fixed), toSpdx([arm, shuffled], subject, fixed));
  const a = toCycloneDx([debian], subject) as { serialNumber: string };
  const b = toCycloneDx([debian], subject) as { serialNumber: string };
  assert.notEqual(a.serialNumber, b.serialNumber, 'a fresh serial per document by default');
});

test('licence expressions: SPDX annex D grammar, free text refused', () => {
  for (const ok of ['MIT', 'Apache-2.0 OR MIT', '(MIT AND BSD-3-Clause) OR GPL-2.0-or-later', 'GPL-2.0+ WITH Classpath-exception-2.0', 'LicenseRef-custom']) assert.ok(isSpdxExpression(ok), ok);
  for (const bad of ['', 'Apache 2.0', 'MIT OR', '(MIT', 'MIT)', 'AND MIT', 'GPL version 2', 'MIT/X11']) assert.ok(!isSpdxExpression(bad), bad);
  assert.equal(licenseExpression(['MIT', 'Apache-2.0 OR MIT']), 'MIT AND (Apache-2.0 OR MIT)');
  assert.equal(licenseExpression(['MIT', 'MIT']), 'MIT');
  assert.equal(licenseExpression(['Apache 2.0']), undefined);
  assert.equal(licenseExpression([]), undefined);
});

test('the schema checks are not vacuous: broken documents are refused', () => {
  const cdx = toCycloneDx([debian], subject, fixed) as Record<string, unknown>;
  assert.throws(() => validateCycloneDx({ ...cdx, specVersion: 1.6 }));
  assert.throws(() => validateCycloneDx({ ...cdx, components: [{ type: 'library', name: 'x', licenses: [{ license: { id: 'Not-A-Licence' } }] }] }));
  const spdx = toSpdx([debian], subject, fixed) as Record<string, unknown>;
  assert.throws(() => validateSpdx({ ...spdx, packages: [{ SPDXID: 'SPDXRef-x', name: 'x', primaryPackagePurpose: 'OPERATING-SYSTEM' }] }));
  assert.throws(() => validateSpdx({ ...spdx, relationships: [{ spdxElementId: 'a', relationshipType: 'IS_FRIEND_OF', relatedSpdxElement: 'b' }] }));
});
