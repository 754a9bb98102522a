/**
 * SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/): one package for the
 * image (purpose CONTAINER), one per operating system (OPERATING_SYSTEM) and
 * one per package found (LIBRARY, its purl as a PACKAGE-MANAGER external
 * reference). The document DESCRIBES the image, which CONTAINS the rest, as
 * syft writes it. Files are not analysed (filesAnalyzed false). Validated
 * against the published schema in sbom.test.ts.
 */
import { createHash } from 'node:crypto';
import type { Inventory } from '../types.ts';
import { byManifest, imagePurl, licenseExpression, orderedPackages, platformName, resolved, type SbomOptions, type SbomSubject } from './common.ts';

/** SPDXIDs allow `[A-Za-z0-9.-]` only: a readable prefix plus a short hash keeps them unique and stable. */
function spdxId(kind: string, name: string, unique: string): string {
  const readable = name.replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 60);
  const hash = createHash('sha256').update(unique).digest('hex').slice(0, 16);
  return `SPDXRef-${kind}-${readable}-${hash}`;
}

const NOASSERTION = 'NOASSERTION';

export function toSpdx(unordered: readonly Inventory[], subject: SbomSubject, options?: SbomOptions): object {
  const inventories = byManifest(unordered);
  const { timestamp, uuid, toolVersion } = resolved(options);
  const imageId = spdxId('Image', subject.repository, `${subject.repository}@${subject.digest}`);
  const packages: object[] = [];
  const relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[] = [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: imageId },
  ];
  const [digestAlgorithm, digestValue] = subject.digest.split(':');
  packages.push({
    SPDXID: imageId,
    name: subject.repository,
    versionInfo: subject.digest,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    ...(digestAlgorithm === 'sha256' || digestAlgorithm === 'sha512' ? { checksums: [{ algorithm: digestAlgorithm.toUpperCase(), checksumValue: digestValue }] } : {}),
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    primaryPackagePurpose: 'CONTAINER',
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: imagePurl(subject) }],
    ...(subject.tags.length > 0 ? { comment: `tags: ${[...subject.tags].sort().join(', ')}` } : {}),
  });

  const used = new Set<string>([imageId]);
  const unique = (id: string): string => {
    let candidate = id;
    for (let n = 1; used.has(candidate); n++) candidate = `${id}-${n}`;
    used.add(candidate);
    return candidate;
  };

  for (const inventory of inventories) {
    const d = inventory.distro;
    if (d === undefined) continue;
    const id = unique(spdxId('OperatingSystem', d.id, `${inventory.manifestDigest}/${d.id}/${d.versionId ?? ''}`));
    const platform = platformName(inventory);
    packages.push({
      SPDXID: id,
      name: d.id,
      ...(d.versionId !== undefined ? { versionInfo: d.versionId } : {}),
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: NOASSERTION,
      copyrightText: NOASSERTION,
      primaryPackagePurpose: 'OPERATING_SYSTEM',
      ...(d.prettyName !== undefined ? { description: d.prettyName } : {}),
      comment: `manifest ${inventory.manifestDigest}${platform !== undefined ? ` (${platform})` : ''}`,
    });
    relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  }

  for (const { pkg, inventory } of orderedPackages(inventories)) {
    const id = unique(spdxId('Package', `${pkg.type}-${pkg.name}-${pkg.version}`, `${inventory.manifestDigest}\u0000${pkg.purl}\u0000${pkg.location}\u0000${pkg.layer}`));
    const declared = licenseExpression(pkg.licenses);
    const freeText = declared === undefined && pkg.licenses !== undefined && pkg.licenses.length > 0;
    packages.push({
      SPDXID: id,
      name: pkg.name,
      versionInfo: pkg.version,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: declared ?? NOASSERTION,
      // Declared text that is no SPDX expression is kept verbatim rather than lost.
      ...(freeText ? { licenseComments: `declared: ${pkg.licenses!.join('; ').slice(0, 2000)}` } : {}),
      copyrightText: NOASSERTION,
      primaryPackagePurpose: 'LIBRARY',
      ...(pkg.source !== undefined ? { sourceInfo: `built from source package ${pkg.source.name} ${pkg.source.version}` } : {}),
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: pkg.purl }],
      comment: `found by ${pkg.foundBy} in ${pkg.location} (layer ${pkg.layer}${inventories.length > 1 ? `, manifest ${inventory.manifestDigest}` : ''})`,
    });
    relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  }

  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${subject.repository}@${subject.digest}`,
    // A unique URI per document (SPDX 2.3 §6.5); Berth owns no domain, so a URN of the serial.
    documentNamespace: `urn:uuid:${uuid}`,
    creationInfo: { created: timestamp, creators: [`Tool: berth-${toolVersion}`] },
    packages,
    relationships,
  };
}
