/**
 * The matcher: an inventory's packages against vulnerability advisories,
 * giving one finding per vulnerability per package. Pure code: the
 * advisories come from an AdvisoryLookup (the vulnerability database, or a
 * test's records), so re-matching a stored inventory never reads an image.
 *
 * - Each package is looked up under its OSV ecosystem and advisory name
 *   (ecosystems.ts): Debian, Ubuntu and Alpine by source package and
 *   release, PyPI by normalised name, Go modules and `stdlib` by path.
 * - An advisory entry matches by OSV's evaluation (ranges.ts); withdrawn
 *   advisories are ignored; GIT ranges are skipped and said once.
 * - Aliases are merged: advisories of the same package that share any id
 *   (GO-…, GHSA-…, PYSEC-…, DSA-…, CVE-…) are one finding, named by its CVE
 *   when there is one, with every other id as an alias and every source.
 * - A distribution's `not_affected` statement for a vulnerability drops it
 *   for that package; other statuses (will not fix, fix deferred, end of
 *   life) are kept on the finding.
 * - Fixed version: the lowest fix above the installed version. Severity: the
 *   highest of every CVSS vector's rating and the publishers' severities.
 */
import type { Advisory, AffectedPackage, AffectedStatus, Finding, Inventory, Package, Severity } from '../types.ts';
import { advisoryCvss, type CvssScore } from './cvss.ts';
import { ecosystemOf, foldName, lookupNames, lookupVersion, sameName } from './ecosystems.ts';
import { coversEverything, evaluate } from './ranges.ts';
import { highestSeverity, severityOfScore } from './severity.ts';
import { InvalidVersionError, compareVersions, schemeOf, type VersionScheme } from './versions/index.ts';

export { summarize } from './severity.ts';

export type AdvisoryLookup = (keys: { ecosystem: string; name: string }[]) => Promise<Advisory[]> | Advisory[];

export interface MatchLogger {
  info(details: object, message: string): void;
}

export interface MatchOptions {
  /** Told once per process about each kind of thing the matcher could not evaluate. */
  log?: MatchLogger;
  /**
   * Results per (ecosystem, name, version), shared across inventories matched against the same advisories: a
   * re-match of many stored inventories evaluates each distinct package version once (images share base layers).
   * Create one per batch of advisories (`new MatchCache()`); never reuse it after the data changed.
   */
  cache?: MatchCache;
}

/** Bounded memo of vulnerability groups per package version (see MatchOptions.cache). */
export class MatchCache {
  readonly #groups = new Map<string, Group[]>();
  readonly #max: number;
  hits = 0;
  misses = 0;
  constructor(maxEntries = 200_000) {
    this.#max = maxEntries;
  }
  get(key: string): Group[] | undefined {
    const g = this.#groups.get(key);
    if (g) this.hits++;
    else this.misses++;
    return g;
  }
  set(key: string, groups: Group[]): void {
    if (this.#groups.size >= this.#max) this.#groups.clear();
    this.#groups.set(key, groups);
  }
}

/** The lookup keys of an inventory, deduplicated: one batch for the whole image. */
export function lookupKeys(inventory: Pick<Inventory, 'packages' | 'distro'>): { ecosystem: string; name: string }[] {
  const keys = new Map<string, { ecosystem: string; name: string }>();
  for (const pkg of inventory.packages) {
    const ecosystem = ecosystemOf(pkg, inventory.distro);
    if (!ecosystem) continue;
    for (const name of lookupNames(ecosystem, pkg)) keys.set(`${ecosystem}\0${name}`, { ecosystem, name });
  }
  return [...keys.values()];
}

export async function matchInventory(inventory: Inventory, lookup: AdvisoryLookup, options: MatchOptions = {}): Promise<Finding[]> {
  const keys = lookupKeys(inventory);
  const advisories = keys.length === 0 ? [] : await lookup(keys);
  return matchAdvisories(inventory, advisories, options);
}

const byIdentity = (a: Advisory, b: Advisory): number =>
  a.source < b.source ? -1 : a.source > b.source ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

const STATUS_PRIORITY: AffectedStatus[] = ['affected', 'fix_deferred', 'will_not_fix', 'end_of_life'];
const logged = new Set<string>();

function note(options: MatchOptions, message: string, details: object): void {
  const kind = message.replace(/: .*/, '');
  if (!options.log || logged.has(kind)) return;
  logged.add(kind);
  options.log.info(details, message);
}

interface Hit {
  advisory: Advisory;
  entry: AffectedPackage;
  fixes: string[];
  /** The ids this hit is the same vulnerability as others by. */
  keys: string[];
  /** Further ids to show as aliases, never used to merge (a DSA naming several CVEs). */
  also: string[];
}

const CVE = /^CVE-\d{4}-\d+$/;

/**
 * The vulnerabilities an advisory stands for. Most name one (with aliases); a distribution advisory (DSA, DLA,
 * a vendor bulletin) names several CVEs: it stands for each of them, so that one CVE is one finding and two
 * CVEs fixed by the same update are two, each with the bulletin as an alias.
 */
function vulnerabilitiesOf(advisory: Advisory): { keys: string[]; also: string[] }[] {
  const ids = [advisory.id, ...advisory.aliases];
  const cves = [...new Set(ids.filter((id) => CVE.test(id)))];
  if (cves.length <= 1) return [{ keys: ids, also: [] }];
  const others = ids.filter((id) => !CVE.test(id));
  return cves.map((cve) => ({ keys: [cve], also: others }));
}

/** Same as matchInventory, with the advisories already fetched (the re-match job batches lookups itself). */
export function matchAdvisories(inventory: Pick<Inventory, 'packages' | 'distro'>, advisories: readonly Advisory[], options: MatchOptions = {}): Finding[] {
  // Advisories by ecosystem and folded package name, so each package sees only its own; built on the first
  // cache miss (a re-match whose packages were all seen before needs none).
  let index: Map<string, Advisory[]> | undefined;
  const indexed = (): Map<string, Advisory[]> => {
    if (index) return index;
    index = new Map();
    for (const advisory of advisories) {
      if (advisory.withdrawn) continue;
      for (const key of new Set(advisory.affected.map((a) => `${a.ecosystem}\0${foldName(a.ecosystem, a.name)}`))) {
        const list = index.get(key) ?? [];
        list.push(advisory);
        index.set(key, list);
      }
    }
    return index;
  };
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const pkg of inventory.packages) {
    const ecosystem = ecosystemOf(pkg, inventory.distro);
    if (!ecosystem) continue;
    const identity = `${pkg.purl}\0${pkg.location}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    const names = lookupNames(ecosystem, pkg);
    const version = lookupVersion(pkg);
    const key = `${ecosystem}\0${names.join('\0')}\0${version}`;
    let groups = options.cache?.get(key);
    if (!groups) {
      // Sorted, so findings (and the cache) do not depend on the order the lookup returned advisories in.
      const candidates = [...new Set(names.flatMap((n) => indexed().get(`${ecosystem}\0${foldName(ecosystem, n)}`) ?? []))].sort(byIdentity);
      groups = vulnerabilityGroups(pkg.name, ecosystem, names, version, candidates, options);
      options.cache?.set(key, groups);
    }
    const scheme = schemeOf(ecosystem);
    for (const group of groups) findings.push(toFinding(pkg, scheme, group));
  }
  return findings;
}

/** The vulnerabilities of one package version: its matching advisory entries, grouped by shared ids. */
function vulnerabilityGroups(
  packageName: string,
  ecosystem: string,
  names: string[],
  version: string,
  candidates: readonly Advisory[],
  options: MatchOptions,
): Group[] {
  const scheme = schemeOf(ecosystem);
  const hits: Hit[] = [];
  const suppressed = new Set<string>();
  for (const advisory of candidates) {
    for (const entry of advisory.affected) {
      if (entry.ecosystem !== ecosystem || !names.some((n) => sameName(ecosystem, entry.name, n))) continue;
      const evaluation = coversEverything(entry) && entry.status !== 'affected' ? { affected: true, fixes: [], notes: [] } : evaluate(entry, scheme, version);
      for (const n of evaluation.notes) note(options, n, { advisory: advisory.id, package: packageName, version });
      if (!evaluation.affected) continue;
      for (const v of vulnerabilitiesOf(advisory)) {
        if (entry.status === 'not_affected') for (const id of v.keys) suppressed.add(id);
        else hits.push({ advisory, entry, fixes: evaluation.fixes, ...v });
      }
    }
  }
  return groupByVulnerability(hits).filter((group) => !group.hits.some((h) => h.keys.some((id) => suppressed.has(id))));
}

interface Group {
  ids: string[];
  hits: Hit[];
  template?: Template;
}

/** Union of hits that share any key (an advisory's own id or an alias; for bulletins, the one CVE). */
function groupByVulnerability(hits: Hit[]): Group[] {
  const parent = hits.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const owner = new Map<string, number>();
  hits.forEach((hit, i) => {
    for (const id of hit.keys) {
      const j = owner.get(id);
      if (j === undefined) owner.set(id, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, Group>();
  hits.forEach((hit, i) => {
    const root = find(i);
    const g = groups.get(root) ?? { ids: [], hits: [] };
    g.hits.push(hit);
    for (const id of [...hit.keys, ...hit.also]) if (!g.ids.includes(id)) g.ids.push(id);
    groups.set(root, g);
  });
  return [...groups.values()];
}

/** The id a finding is known by: a CVE when any id is one (the lowest, for stability), else the first advisory's id. */
function primaryId(group: Group): string {
  const cves = group.ids.filter((id) => CVE.test(id)).sort();
  return cves[0] ?? group.hits[0]!.advisory.id;
}

function lowest(scheme: VersionScheme | undefined, versions: string[]): string | undefined {
  let best: string | undefined;
  for (const v of versions) {
    if (best === undefined) best = v;
    else if (scheme) {
      try {
        if (compareVersions(scheme, v, best) < 0) best = v;
      } catch (err) {
        if (!(err instanceof InvalidVersionError)) throw err;
      }
    }
  }
  return best;
}

type Template = Omit<Finding, 'packageType' | 'package' | 'installedVersion' | 'purl' | 'layer' | 'location'>;

/** What a vulnerability group says whatever the package instance: computed once per group (CVSS scoring is the costly part). */
function templateOf(scheme: VersionScheme | undefined, group: Group): Template {
  if (group.template) return group.template;
  const id = primaryId(group);
  const advisories = [...new Map(group.hits.map((h) => [`${h.advisory.source}\0${h.advisory.id}`, h.advisory])).values()];
  const { all } = advisoryCvss(advisories.flatMap((a) => a.severity));
  const shown = pickShown(all);
  const severities: Severity[] = all.map((s) => severityOfScore(s.score, s.version));
  for (const h of group.hits) if (h.entry.severity) severities.push(h.entry.severity);
  const template: Template = {
    id,
    aliases: group.ids.filter((x) => x !== id).sort(),
    status: STATUS_PRIORITY.find((s) => group.hits.some((h) => h.entry.status === s)) ?? 'affected',
    severity: highestSeverity(severities),
    links: [...new Set(advisories.flatMap((a) => a.references))],
    sources: [...new Set(advisories.map((a) => a.source))].sort(),
  };
  const fixedVersion = lowest(scheme, group.hits.flatMap((h) => h.fixes));
  if (fixedVersion !== undefined) template.fixedVersion = fixedVersion;
  if (shown) template.cvss = { version: shown.version, score: shown.score, vector: shown.vector };
  const summary = advisories.find((a) => a.summary)?.summary;
  if (summary) template.summary = summary;
  group.template = template;
  return template;
}

function toFinding(pkg: Package, scheme: VersionScheme | undefined, group: Group): Finding {
  const t = templateOf(scheme, group);
  // Arrays are copied so a caller editing one finding never edits another package's.
  return {
    ...t,
    aliases: [...t.aliases],
    links: [...t.links],
    sources: [...t.sources],
    packageType: pkg.type,
    package: pkg.name,
    installedVersion: pkg.version,
    purl: pkg.purl,
    layer: pkg.layer,
    location: pkg.location,
  };
}

/** Among the group's scores, the preferred version (v3.1, v3.0, v4.0, v2), and within it the highest score. */
function pickShown(all: CvssScore[]): CvssScore | undefined {
  for (const version of ['3.1', '3.0', '4.0', '2.0']) {
    const same = all.filter((s) => s.version === version);
    if (same.length > 0) return same.reduce((a, b) => (b.score > a.score ? b : a));
  }
  return undefined;
}

