/**
 * Debian codenames → the release numbers OSV's `Debian:<n>` ecosystems use
 * (osv.dev names the releases before 7 with their point: `Debian:3.0`,
 * `Debian:6.0`; later ones by major only). `sid` (unstable) and
 * `experimental` have no release and are not imported. The importers
 * (vulndb/) and the matcher's ecosystems (an image whose os-release names
 * only its codename) share this one table.
 */
const RELEASES: Record<string, string> = {
  buzz: '1.1',
  rex: '1.2',
  bo: '1.3',
  hamm: '2.0',
  slink: '2.1',
  potato: '2.2',
  woody: '3.0',
  sarge: '3.1',
  etch: '4.0',
  lenny: '5.0',
  squeeze: '6.0',
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  duke: '15',
};

/** `12` for `bookworm`; undefined for sid, experimental and unknown names. */
export function debianRelease(codename: string): string | undefined {
  const name = codename.toLowerCase();
  return Object.hasOwn(RELEASES, name) ? RELEASES[name] : undefined;
}

/** `Debian:12` for `bookworm`; undefined for sid, experimental and unknown names. */
export function debianEcosystem(codename: string): string | undefined {
  const n = debianRelease(codename);
  return n === undefined ? undefined : `Debian:${n}`;
}
