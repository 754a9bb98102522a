/**
 * CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/): the image as the
 * metadata component (type `container`, its OCI package URL), each OS as an
 * `operating-system` component, each package as a `library` with its purl,
 * declared licences and where it was found (as `berth:*` properties, the
 * namespace CycloneDX's property taxonomy leaves to tools), and a dependency
 * graph image → OS and packages. Validated against the published schema in
 * sbom.test.ts.
 */
import { PackageURL } from 'packageurl-js';
import type { Inventory, Package } from '../types.ts';
import { byManifest, imagePurl, licenseExpression, orderedPackages, platformName, resolved, type SbomOptions, type SbomSubject } from './common.ts';

// Licence ids CycloneDX accepts as `license.id` are the SPDX list's (an enum in
// spdx.schema.json); the common ones are written as ids, the rest as an
// expression, which CycloneDX does not check against the list.
const COMMON_IDS = new Set([
  '0BSD', 'AFL-2.1', 'AGPL-3.0-only', 'AGPL-3.0-or-later', 'Apache-1.1', 'Apache-2.0', 'Artistic-1.0', 'Artistic-2.0', 'BSD-1-Clause', 'BSD-2-Clause',
  'BSD-3-Clause', 'BSD-4-Clause', 'BSL-1.0', 'CC-BY-3.0', 'CC-BY-4.0', 'CC-BY-SA-4.0', 'CC0-1.0', 'CDDL-1.0', 'CDDL-1.1', 'EPL-1.0', 'EPL-2.0',
  'GPL-1.0-only', 'GPL-1.0-or-later', 'GPL-2.0-only', 'GPL-2.0-or-later', 'GPL-3.0-only', 'GPL-3.0-or-later', 'ISC', 'LGPL-2.0-only',
  'LGPL-2.0-or-later', 'LGPL-2.1-only', 'LGPL-2.1-or-later', 'LGPL-3.0-only', 'LGPL-3.0-or-later', 'MIT', 'MIT-0', 'MPL-1.1', 'MPL-2.0', 'OpenSSL',
  'PSF-2.0', 'Python-2.0', 'Ruby', 'Unicode-DFS-2016', 'Unicode-3.0', 'Unlicense', 'WTFPL', 'X11', 'Zlib', 'curl', 'libpng-2.0',
]);

type LicenseChoice = { license: { id: string } | { name: string } } | { expression: string };

function licenses(declared: readonly string[] | undefined): LicenseChoice[] | undefined {
  const list = [...new Set((declared ?? []).map((l) => l.trim()).filter((l) => l !== ''))];
  if (list.length === 0) return undefined;
  if (list.every((l) => COMMON_IDS.has(l))) return list.map((id) => ({ license: { id } }));
  // The schema allows either licences or exactly one expression, never both.
  const expression = licenseExpression(list);
  if (expression !== undefined) return [{ expression }];
  return list.map((l) => (COMMON_IDS.has(l) ? { license: { id: l } } : { license: { name: l.slice(0, 1000) } }));
}

/** CycloneDX splits Maven `group:artifact` and npm `@scope/name` into group and name, as the purl does. */
function groupAndName(pkg: Package): { group?: string; name: string } {
  try {
    const purl = PackageURL.fromString(pkg.purl);
    if (purl.namespace && (pkg.type === 'maven' || pkg.type === 'npm' || pkg.type === 'composer')) return { group: purl.namespace, name: purl.name };
  } catch {
    // A purl the analyzer wrote is valid; fall back to the name as found when it is not.
  }
  return { name: pkg.name };
}

function property(name: string, value: string | undefined): { name: string; value: string }[] {
  return value === undefined || value === '' ? [] : [{ name, value }];
}

function osRef(inventory: Inventory): string {
  return `os:${inventory.manifestDigest}`;
}

export function toCycloneDx(unordered: readonly Inventory[], subject: SbomSubject, options?: SbomOptions): object {
  const inventories = byManifest(unordered);
  const { timestamp, uuid, toolVersion } = resolved(options);
  const rootRef = imagePurl(subject);
  const multi = inventories.length > 1;
  const components: object[] = [];
  const rootDepends: string[] = [];
  const dependencies: { ref: string; dependsOn: string[] }[] = [];

  for (const inventory of inventories) {
    const d = inventory.distro;
    if (d === undefined) continue;
    const ref = osRef(inventory);
    rootDepends.push(ref);
    dependencies.push({ ref, dependsOn: [] });
    components.push({
      type: 'operating-system',
      'bom-ref': ref,
      name: d.id,
      ...(d.versionId !== undefined ? { version: d.versionId } : {}),
      ...(d.prettyName !== undefined ? { description: d.prettyName } : {}),
      properties: [...property('berth:manifest', inventory.manifestDigest), ...property('berth:platform', platformName(inventory)), ...property('berth:distro:codename', d.codename)],
    });
  }

  const seen = new Map<string, number>();
  for (const { pkg, inventory } of orderedPackages(inventories)) {
    // bom-refs must be unique: the same purl can be found in several files or platforms.
    const base = multi ? `${pkg.purl}#${inventory.manifestDigest}` : pkg.purl;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    const ref = n === 0 ? base : `${base}#${n}`;
    rootDepends.push(ref);
    const lic = licenses(pkg.licenses);
    components.push({
      type: 'library',
      'bom-ref': ref,
      ...groupAndName(pkg),
      version: pkg.version,
      ...(lic !== undefined ? { licenses: lic } : {}),
      purl: pkg.purl,
      properties: [
        ...property('berth:package:type', pkg.type),
        ...property('berth:found-by', pkg.foundBy),
        ...property('berth:location', pkg.location),
        ...property('berth:layer', pkg.layer),
        ...property('berth:manifest', multi ? inventory.manifestDigest : undefined),
        ...property('berth:source:name', pkg.source?.name),
        ...property('berth:source:version', pkg.source?.version),
        ...property('berth:arch', pkg.arch),
      ],
    });
  }
  dependencies.unshift({ ref: rootRef, dependsOn: rootDepends });

  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${uuid}`,
    version: 1,
    metadata: {
      timestamp,
      tools: { components: [{ type: 'application', name: 'berth', version: toolVersion }] },
      component: {
        type: 'container',
        'bom-ref': rootRef,
        name: subject.repository,
        version: subject.digest,
        purl: rootRef,
        properties: [...[...subject.tags].sort().map((t) => ({ name: 'berth:tag', value: t })), ...inventories.flatMap((i) => property('berth:platform', platformName(i)))],
      },
    },
    components,
    dependencies,
  };
}
