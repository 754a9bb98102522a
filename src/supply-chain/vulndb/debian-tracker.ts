/**
 * The Debian security tracker's JSON (`/tracker/data/json`):
 * `{ "<source package>": { "CVE-…": { description, releases: { "<codename>":
 * { status, repositories: {…}, fixed_version, urgency, nodsa, nodsa_reason } } } } }`.
 *
 * One Advisory per CVE naming every (source package, release) the tracker
 * lists, with the statuses of docs/vulnerability-data.md (as trivy maps
 * them): `resolved` with `fixed_version` "0" → not affected; `resolved` →
 * fixed in that version; `open` → affected without a fix, or will not fix
 * (`nodsa_reason: ignored`), fix deferred (`postponed`), end of life
 * (urgency `end-of-life`); `undetermined` → skipped. Urgency becomes the
 * publisher's severity. sid and experimental have no release and are skipped.
 */
import type { Advisory, AffectedPackage, AffectedStatus } from '../types.ts';
import { debianEcosystem } from '../vulnerabilities/debian-releases.ts';
import { MAX_AFFECTED, VulnDataError, fixedRange, isAdvisoryId, packageName, severityWord, text, version, type ImportLimits } from './records.ts';

function obj(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The entry of one package in one release, or undefined when the tracker has nothing to say yet. */
export function trackerEntry(ecosystem: string, name: string, rel: Record<string, unknown>, where: string): AffectedPackage | undefined {
  const status = rel.status;
  const urgency = typeof rel.urgency === 'string' ? rel.urgency : '';
  const severity = urgency === 'end-of-life' ? undefined : severityWord(urgency);
  const base = { ecosystem, name, versions: [] as string[], ...(severity ? { severity } : {}) };
  if (status === 'resolved') {
    const fixed = rel.fixed_version;
    if (fixed === '0') return { ...base, ranges: [], status: 'not_affected' };
    return { ...base, ranges: fixedRange(version(fixed, where)), status: 'affected' };
  }
  if (status !== 'open') return undefined;
  const reason = typeof rel.nodsa_reason === 'string' ? rel.nodsa_reason : '';
  let s: AffectedStatus = 'affected';
  if (urgency === 'end-of-life') s = 'end_of_life';
  else if (reason === 'ignored') s = 'will_not_fix';
  else if (reason === 'postponed') s = 'fix_deferred';
  return { ...base, ranges: fixedRange(undefined), status: s };
}

export function parseDebianTracker(doc: unknown, source: string, limits: ImportLimits): Advisory[] {
  const root = obj(doc);
  if (!root) throw new VulnDataError('not a Debian security tracker JSON document: an object of source packages is expected');
  const byCve = new Map<string, Advisory>();
  for (const [pkg, cves] of Object.entries(root)) {
    const name = packageName(pkg, 'package');
    const entries = obj(cves);
    if (!entries) throw new VulnDataError(`${name.slice(0, 100)}: an object of CVE entries is expected`);
    for (const [id, raw] of Object.entries(entries)) {
      const where = `${name.slice(0, 100)} ${id.slice(0, 64)}`;
      const cve = obj(raw);
      if (!isAdvisoryId(id) || !cve) throw new VulnDataError(`${where}: not an advisory entry`);
      const releases = obj(cve.releases) ?? {};
      let advisory = byCve.get(id);
      for (const [codename, relRaw] of Object.entries(releases)) {
        const ecosystem = debianEcosystem(codename);
        const rel = obj(relRaw);
        if (!ecosystem || !rel) continue;
        const entry = trackerEntry(ecosystem, name, rel, `${where} ${codename}`);
        if (!entry) continue;
        if (!advisory) {
          if (byCve.size >= limits.maxRecords) throw new VulnDataError(`more than ${limits.maxRecords} advisories`);
          const summary = text(cve.description, 1024);
          advisory = { id, source, aliases: [], ...(summary ? { summary } : {}), severity: [], references: [], affected: [] };
          byCve.set(id, advisory);
        }
        if (advisory.affected.length >= MAX_AFFECTED) throw new VulnDataError(`${id}: more than ${MAX_AFFECTED} package entries`);
        advisory.affected.push(entry);
      }
    }
  }
  return [...byCve.values()];
}
