/**
 * What the CycloneDX and SPDX writers share: the subject's description, the
 * order packages are written in (so a document depends only on its inputs,
 * apart from its timestamp and serial), the image's package URL and the
 * reading of declared licences.
 */
import { randomUUID } from 'node:crypto';
import { PackageURL } from 'packageurl-js';
import type { Inventory, Package } from '../types.ts';
import pkg from '../../../package.json' with { type: 'json' };

/** The image an SBOM describes. */
export interface SbomSubject {
  repository: string;
  /** Digest of the manifest (or index) scanned. */
  digest: string;
  tags: string[];
  /** Registry host (`registry.example.com:5000`) for the image's package URL, when known. */
  registry?: string;
}

/** Fixed values for reproducible output (tests, regeneration that must not change the document). */
export interface SbomOptions {
  /** ISO 8601 time written as the creation time; now by default. */
  timestamp?: string;
  /** UUID used for the serial number / document namespace; random by default. */
  uuid?: string;
  /** Version of the writing tool; Berth's package version by default. */
  toolVersion?: string;
}

export const SBOM_MEDIA_TYPES = {
  cyclonedx: 'application/vnd.cyclonedx+json',
  spdx: 'application/spdx+json',
} as const;

export type SbomFormat = keyof typeof SBOM_MEDIA_TYPES;

export function isSbomFormat(value: string): value is SbomFormat {
  return value === 'cyclonedx' || value === 'spdx';
}

/** Berth's version as package.json says it: the writing tool named in every document. */
export const BERTH_VERSION: string = pkg.version;

export function resolved(options: SbomOptions | undefined): { timestamp: string; uuid: string; toolVersion: string } {
  return {
    // Both formats want seconds precision without fractions in practice (SPDX's examples, syft's output).
    timestamp: options?.timestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    uuid: options?.uuid ?? randomUUID(),
    toolVersion: options?.toolVersion ?? BERTH_VERSION,
  };
}

/** Inventories by manifest digest, so the platforms' order in a document does not depend on the caller's. */
export function byManifest(inventories: readonly Inventory[]): Inventory[] {
  return [...inventories].sort((a, b) => (a.manifestDigest < b.manifestDigest ? -1 : a.manifestDigest > b.manifestDigest ? 1 : 0));
}

/** Packages of every inventory with the platform they belong to, in a stable order. */
export function orderedPackages(inventories: readonly Inventory[]): { pkg: Package; inventory: Inventory }[] {
  const all = inventories.flatMap((inventory) => inventory.packages.map((pkg) => ({ pkg, inventory })));
  const key = (e: { pkg: Package; inventory: Inventory }): string => `${e.inventory.manifestDigest}\u0000${e.pkg.purl}\u0000${e.pkg.location}\u0000${e.pkg.layer}\u0000${e.pkg.foundBy}`;
  return all.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** `pkg:oci/<name>@<digest>?repository_url=<host>/<repository>` as the purl spec's OCI type writes images. */
export function imagePurl(subject: SbomSubject): string {
  const name = (subject.repository.split('/').pop() ?? subject.repository).toLowerCase();
  const qualifiers: Record<string, string> = {};
  if (subject.registry !== undefined) qualifiers.repository_url = `${subject.registry}/${subject.repository}`;
  if (subject.tags.length > 0) qualifiers.tag = [...subject.tags].sort()[0]!;
  return new PackageURL('oci', undefined, name, subject.digest, qualifiers, undefined).toString();
}

export function platformName(inventory: Inventory): string | undefined {
  const p = inventory.platform;
  if (p === undefined) return undefined;
  return [p.os, p.architecture, p.variant].filter((s) => s !== undefined && s !== '').join('/');
}

// One SPDX licence identifier (idstring of SPDX 2.3 annex D, `+` allowed), or `LicenseRef-…`.
const LICENSE_ID = /^(?:LicenseRef-)?[A-Za-z0-9][A-Za-z0-9.-]*\+?$/;
const OPERATORS = new Set(['AND', 'OR', 'WITH']);

/**
 * Whether a declared licence string is an SPDX licence expression (annex D
 * grammar: ids joined by AND/OR/WITH, parentheses). Free text such as
 * "GPL version 2 or later" is not, and is written as a name instead.
 */
export function isSpdxExpression(text: string): boolean {
  if (text.length === 0 || text.length > 500) return false;
  const tokens = text.replace(/[()]/g, ' $& ').trim().split(/\s+/);
  let depth = 0;
  let expectOperand = true;
  for (const token of tokens) {
    if (token === '(') {
      if (!expectOperand) return false;
      depth++;
    } else if (token === ')') {
      if (expectOperand || --depth < 0) return false;
    } else if (OPERATORS.has(token)) {
      if (expectOperand) return false;
      expectOperand = true;
    } else {
      if (!expectOperand || !LICENSE_ID.test(token) || OPERATORS.has(token.toUpperCase())) return false;
      expectOperand = false;
    }
  }
  return depth === 0 && !expectOperand;
}

/**
 * The declared licences of a package as one SPDX expression (joined with
 * AND: a package declaring several is under all of them), or undefined when
 * any of them is free text.
 */
export function licenseExpression(licenses: readonly string[] | undefined): string | undefined {
  const list = [...new Set((licenses ?? []).map((l) => l.trim()).filter((l) => l !== ''))];
  if (list.length === 0 || !list.every(isSpdxExpression)) return undefined;
  return list.length === 1 ? list[0] : list.map((l) => (/\s/.test(l) ? `(${l})` : l)).join(' AND ');
}
