/**
 * Debian and Ubuntu packages from dpkg's database: `/var/lib/dpkg/status`,
 * and the one-file-per-package `/var/lib/dpkg/status.d/*` of distroless
 * images. Each package keeps its source package and version (`Source: glibc
 * (2.36-9)`), which Debian's advisories name. Like Trivy, only packages whose
 * status is `installed` count (removed packages leave `config-files` stanzas);
 * status.d stanzas have no Status field and are all installed.
 */
import type { BufferCataloger } from '../cataloger.ts';
import type { PackageFact } from '../../types.ts';

const STATUS = '/var/lib/dpkg/status';
const STATUS_D = '/var/lib/dpkg/status.d/';
/** Companion files distroless keeps beside each stanza. */
const NOT_STANZAS = /\.(md5sums|list|conffiles|preinst|postinst|prerm|postrm|triggers|shlibs|symbols)$/;

export const MAX_DPKG_STATUS_BYTES = 64 * 1024 * 1024;

/** Splits a deb822 file into stanzas of field → value (continuation lines joined with newlines). */
export function parseDeb822(text: string): Record<string, string>[] {
  const stanzas: Record<string, string>[] = [];
  let current: Record<string, string> = {};
  let lastKey: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (Object.keys(current).length > 0) stanzas.push(current);
      current = {};
      lastKey = undefined;
      continue;
    }
    if (line[0] === ' ' || line[0] === '\t') {
      if (lastKey) current[lastKey] += '\n' + line.slice(1);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    lastKey = line.slice(0, colon).trim();
    current[lastKey] = line.slice(colon + 1).trim();
  }
  if (Object.keys(current).length > 0) stanzas.push(current);
  return stanzas;
}

export function dpkgPackages(text: string): PackageFact[] {
  const out: PackageFact[] = [];
  for (const s of parseDeb822(text)) {
    const name = s.Package;
    const version = s.Version;
    if (!name || !version) continue;
    if (s.Status !== undefined && s.Status.split(/\s+/)[2] !== 'installed') continue;
    const fact: PackageFact = { type: 'deb', name, version };
    if (s.Architecture) fact.arch = s.Architecture;
    if (s.Source) {
      const m = /^(\S+)(?:\s+\(([^)]+)\))?/.exec(s.Source);
      if (m) fact.source = { name: m[1]!, version: m[2]?.trim() ?? version };
    }
    out.push(fact);
  }
  return out;
}

export const dpkgCataloger: BufferCataloger = {
  name: 'dpkg',
  mode: 'buffer',
  maxBytes: MAX_DPKG_STATUS_BYTES,
  wants(file) {
    if (file.path === STATUS) return true;
    return file.path.startsWith(STATUS_D) && !file.path.slice(STATUS_D.length).includes('/') && !NOT_STANZAS.test(file.path);
  },
  parse(file) {
    return dpkgPackages(file.content.toString('utf8'));
  },
};
