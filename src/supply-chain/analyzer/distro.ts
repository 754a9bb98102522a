/**
 * The image's distribution, from the final filesystem: os-release first
 * (`/etc/os-release`, then `/usr/lib/os-release`, which the former usually
 * links to), then the older release files. The reader buffers these paths
 * (each at most DISTRO_FILE_MAX_BYTES) and resolves their symlinks inside the
 * image before calling the detector.
 */
import type { DistroDetector } from './cataloger.ts';
import type { Distro } from '../types.ts';

export const DISTRO_FILE_MAX_BYTES = 64 * 1024;

export const DISTRO_PATHS: readonly string[] = [
  '/etc/os-release',
  '/usr/lib/os-release',
  '/etc/alpine-release',
  '/etc/debian_version',
  '/etc/redhat-release',
];

/** Parses os-release (freedesktop.org format: KEY=value, value optionally quoted with shell escapes). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (!/^[A-Z0-9_]+$/.test(key)) continue;
    let value = line.slice(eq + 1);
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\([\\$"`])/g, '$1');
    }
    out[key] = value;
  }
  return out;
}

function fromOsRelease(text: string): Distro | undefined {
  const f = parseOsRelease(text);
  if (!f.ID) return undefined;
  const d: Distro = { id: f.ID.toLowerCase() };
  if (f.VERSION_ID) d.versionId = f.VERSION_ID;
  if (f.VERSION_CODENAME) d.codename = f.VERSION_CODENAME;
  else if (f.UBUNTU_CODENAME) d.codename = f.UBUNTU_CODENAME;
  if (f.PRETTY_NAME) d.prettyName = f.PRETTY_NAME;
  // Debian testing/sid leave VERSION_ID out; its debian_version says `trixie/sid`.
  return d;
}

const DEBIAN_CODENAMES: Record<string, string> = {
  '9': 'stretch', '10': 'buster', '11': 'bullseye', '12': 'bookworm', '13': 'trixie', '14': 'forky',
};

const REDHAT_IDS: [RegExp, string][] = [
  [/^Red Hat Enterprise Linux/i, 'rhel'],
  [/^Rocky Linux/i, 'rocky'],
  [/^AlmaLinux/i, 'almalinux'],
  [/^CentOS Stream/i, 'centos'],
  [/^CentOS/i, 'centos'],
  [/^Fedora/i, 'fedora'],
  [/^Oracle Linux/i, 'ol'],
];

export const detectDistro: DistroDetector = (files) => {
  for (const p of ['/etc/os-release', '/usr/lib/os-release']) {
    const b = files.get(p);
    if (b) {
      const d = fromOsRelease(b.toString('utf8'));
      if (d) return d;
    }
  }
  const alpine = files.get('/etc/alpine-release')?.toString('utf8').trim();
  if (alpine && /^[0-9][0-9A-Za-z._-]*$/.test(alpine)) return { id: 'alpine', versionId: alpine };
  const debian = files.get('/etc/debian_version')?.toString('utf8').trim();
  if (debian) {
    const m = /^(\d+)(?:\.\d+)*$/.exec(debian);
    if (m) {
      const d: Distro = { id: 'debian', versionId: m[1]! };
      const codename = DEBIAN_CODENAMES[m[1]!];
      if (codename) d.codename = codename;
      return d;
    }
    const c = /^([a-z]+)\/sid$/.exec(debian);
    if (c) return { id: 'debian', codename: c[1]! };
  }
  const redhat = files.get('/etc/redhat-release')?.toString('utf8').trim();
  if (redhat) {
    const version = /release\s+([0-9][0-9.]*)/.exec(redhat)?.[1];
    for (const [re, id] of REDHAT_IDS) {
      if (re.test(redhat)) return version ? { id, versionId: version, prettyName: redhat.slice(0, 200) } : { id, prettyName: redhat.slice(0, 200) };
    }
  }
  return undefined;
};
