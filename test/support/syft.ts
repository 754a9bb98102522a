/**
 * Runs the real syft (test/peers/syft.sh) on an OCI image layout, offline,
 * and reduces its JSON to package identities comparable with Berth's: the
 * package URL without qualifiers or subpath, normalised the way each
 * ecosystem compares names (PyPI PEP 503, Go without the `v`/`go` prefix).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PackageURL } from 'packageurl-js';
import { mustRun } from './oci-layout.ts';

export interface SyftArtifact {
  name: string;
  version: string;
  type: string;
  foundBy: string;
  purl?: string;
  locations: { path: string; layerID?: string }[];
}

export interface SyftResult {
  artifacts: SyftArtifact[];
  /** Wall time of the syft process in milliseconds. */
  durationMs: number;
}

/**
 * The environment syft runs in: no update check, no remote look-ups of
 * licences or parent POMs, nothing from the real user's configuration.
 */
export function syftEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    TMPDIR: home,
    SYFT_CHECK_FOR_APP_UPDATE: 'false',
    SYFT_JAVA_USE_NETWORK: 'false',
    SYFT_JAVA_MAVEN_LOCAL_REPOSITORY_DIR: path.join(home, 'no-m2'),
    SYFT_GOLANG_SEARCH_REMOTE_LICENSES: 'false',
    SYFT_GOLANG_SEARCH_LOCAL_MOD_CACHE_LICENSES: 'false',
    SYFT_JAVASCRIPT_SEARCH_REMOTE_LICENSES: 'false',
    SYFT_PYTHON_SEARCH_REMOTE_LICENSES: 'false',
    SYFT_DEFAULT_IMAGE_PULL_SOURCE: 'oci-dir',
  };
}

/** `syft scan oci-dir:<layout> -o syft-json` with syft's default catalogers for images. */
export async function syftScan(syft: string, layoutDir: string): Promise<SyftResult> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'berth-syft-'));
  try {
    const t0 = performance.now();
    const r = await mustRun(syft, ['scan', `oci-dir:${layoutDir}`, '-o', 'syft-json', '-q'], { env: syftEnv(home), timeoutMs: 600_000 });
    const durationMs = performance.now() - t0;
    const doc = JSON.parse(r.stdout.toString('utf8')) as { artifacts: SyftArtifact[] };
    return { artifacts: doc.artifacts, durationMs };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** The ecosystem a package URL type belongs to, as the accuracy report groups them. */
export function ecosystemOfPurl(type: string): string {
  return ['deb', 'apk', 'rpm'].includes(type) ? 'os' : type;
}

/** PEP 503 name normalisation. */
export const pep503 = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/**
 * `type/namespace/name@version`, lower-cased where the ecosystem ignores
 * case, qualifiers dropped; undefined for a purl that does not parse.
 */
export function purlIdentity(purl: string): { ecosystem: string; key: string } | undefined {
  let p: PackageURL;
  try {
    p = PackageURL.fromString(purl);
  } catch {
    return undefined;
  }
  let name = p.name;
  let namespace = p.namespace ?? '';
  let version = p.version ?? '';
  switch (p.type) {
    case 'pypi':
      name = pep503(name);
      break;
    case 'golang':
      // syft writes `v1.2.3` and `go1.22.1` (stdlib); OSV and Berth may not.
      // A main module built outside version control has version `(devel)`,
      // which syft leaves out of the purl: no version either way.
      version = version.replace(/^(v|go)(?=\d)/, '');
      if (version === '(devel)') version = '';
      break;
    case 'deb':
    case 'apk':
    case 'rpm':
      namespace = namespace.toLowerCase();
      break;
    case 'npm':
    case 'maven':
      break;
    default:
      name = name.toLowerCase();
  }
  return { ecosystem: ecosystemOfPurl(p.type), key: `${p.type}/${namespace ? `${namespace}/` : ''}${name}@${version}` };
}
