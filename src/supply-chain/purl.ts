/**
 * Package URLs (github.com/package-url/purl-spec) of inventoried packages,
 * built with packageurl-js so encoding and per-type normalisation (PyPI
 * names, …) follow the spec's own library. OS packages carry the
 * distribution (`distro=debian-12`), architecture and, like syft, the source
 * package as `upstream`.
 */
import { PackageURL } from 'packageurl-js';
import type { Distro, PackageFact } from './types.ts';

export function distroQualifier(distro: Distro | undefined): string | undefined {
  if (!distro) return undefined;
  const v = distro.versionId ?? distro.codename;
  return v ? `${distro.id}-${v}` : distro.id;
}

const OS_DEFAULT_NAMESPACE: Record<string, string> = { deb: 'debian', apk: 'alpine', rpm: 'redhat' };

export function purlOf(fact: PackageFact, distro?: Distro): string {
  let namespace: string | undefined;
  let name = fact.name;
  let version = fact.version;
  const qualifiers: Record<string, string> = {};
  switch (fact.type) {
    case 'deb':
    case 'apk':
    case 'rpm': {
      namespace = distro?.id ?? OS_DEFAULT_NAMESPACE[fact.type];
      if (fact.arch) qualifiers.arch = fact.arch;
      if (fact.type === 'rpm') {
        // rpm facts carry `epoch:version-release`; the purl spec puts the epoch in a qualifier.
        const m = /^(\d+):(.*)$/.exec(version);
        if (m) {
          qualifiers.epoch = m[1]!;
          version = m[2]!;
        }
      }
      if (fact.source && fact.source.name !== fact.name) {
        qualifiers.upstream = fact.source.version !== fact.version ? `${fact.source.name}@${fact.source.version}` : fact.source.name;
      } else if (fact.source && fact.source.version !== fact.version) {
        qualifiers.upstream = `${fact.source.name}@${fact.source.version}`;
      }
      const d = distroQualifier(distro);
      if (d) qualifiers.distro = d;
      break;
    }
    case 'npm':
    case 'composer':
    case 'golang': {
      const slash = name.lastIndexOf('/');
      if (slash > 0) {
        namespace = name.slice(0, slash);
        name = name.slice(slash + 1);
      }
      break;
    }
    case 'maven': {
      const colon = name.indexOf(':');
      if (colon > 0) {
        namespace = name.slice(0, colon);
        name = name.slice(colon + 1);
      } else {
        // Maven purls need a namespace (packageurl-js refuses one without); with no group known,
        // the artifact stands in for it, as syft writes `pkg:maven/jsr305/jsr305@1.3.9`.
        namespace = name;
      }
      break;
    }
    default:
      break;
  }
  try {
    return new PackageURL(fact.type, namespace, name, version || undefined, Object.keys(qualifiers).length ? qualifiers : undefined).toString();
  } catch {
    // A name the library refuses (empty segment, …): still give a stable, encoded identifier.
    const ns = namespace ? `${namespace.split('/').map(encodeURIComponent).join('/')}/` : '';
    return `pkg:${fact.type}/${ns}${encodeURIComponent(name)}${version ? `@${encodeURIComponent(version)}` : ''}`;
  }
}
