/**
 * The Debian security tracker's advisory lists (`data/DSA/list`,
 * `data/DLA/list`):
 *
 *   [29 Mar 2023] DSA-5380-1 xorg-server - security update
 *   	{CVE-2023-1393}
 *   	[bullseye] - xorg-server 2:1.20.11-1+deb11u6
 *   	[lenny] - vlc <not-affected> (Vulnerable code not present)
 *   	NOTE: …
 *
 * One Advisory per header line (id `DSA-5380-1`, the CVEs as aliases, the
 * date as `published`), one affected entry per release line: a version is
 * the fix (introduced 0, fixed V), `<not-affected>` not affected,
 * `<unfixed>` affected without a fix, `<end-of-life>` end of life. Release
 * lines name source packages. Read line by line from a stream; each line
 * is bounded.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Advisory, AffectedPackage } from '../types.ts';
import { debianEcosystem } from '../vulnerabilities/debian-releases.ts';
import { MAX_AFFECTED, VulnDataError, aliasList, fixedRange, text, version, type ImportLimits } from './records.ts';

const HEADER = /^\[(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})\] ((?:DSA|DLA)-\d+(?:-\d+)?)\s+(.*)$/;
const RELEASE_LINE = /^\s+\[([a-z-]+)\]\s+-\s+(\S+)\s+(\S+)(?:\s+(.*))?$/;
const CVES = /^\s+\{([^}]*)\}\s*$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MAX_LINE = 64 * 1024;

export interface DebianListFile {
  kind: 'debian-dsa' | 'debian-dla';
  advisories: Advisory[];
  /** The newest advisory date (YYYY-MM-DD). */
  newest?: string;
}

function isoDate(day: string, month: string, year: string): string | undefined {
  const m = MONTHS.indexOf(month);
  return m < 0 ? undefined : `${year}-${String(m + 1).padStart(2, '0')}-${day.padStart(2, '0')}`;
}

function releaseEntry(release: string, pkg: string, what: string, where: string): AffectedPackage | undefined {
  const ecosystem = debianEcosystem(release);
  if (!ecosystem) return undefined;
  const name = pkg.slice(0, 512);
  switch (what) {
    case '<not-affected>':
      return { ecosystem, name, ranges: [], versions: [], status: 'not_affected' };
    case '<unfixed>':
      return { ecosystem, name, ranges: fixedRange(undefined), versions: [], status: 'affected' };
    case '<end-of-life>':
      return { ecosystem, name, ranges: fixedRange(undefined), versions: [], status: 'end_of_life' };
    default:
      // Other <tags> (<removed>, <ignored>, <postponed>) say nothing of a fix in a list of fixes.
      if (what.startsWith('<')) return undefined;
      return { ecosystem, name, ranges: fixedRange(version(what, where)), versions: [], status: 'affected' };
  }
}

/** Parses a DSA or DLA list; the kind is taken from the ids (a file mixing both is refused). */
export async function parseDebianList(file: string, source: string | undefined, limits: ImportLimits): Promise<DebianListFile> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 64 * 1024 }), crlfDelay: Infinity });
  const advisories: Advisory[] = [];
  const seen = new Set<string>();
  let kind: DebianListFile['kind'] | undefined;
  let current: { advisory: Advisory; cves: string[] } | undefined;
  let newest: string | undefined;
  let n = 0;
  const finish = () => {
    if (!current) return;
    current.advisory.aliases = aliasList(current.cves, current.advisory.id);
    advisories.push(current.advisory);
  };
  for await (const line of lines) {
    n++;
    if (line.length > MAX_LINE) throw new VulnDataError(`line ${n}: longer than ${MAX_LINE} characters`);
    if (line.trim() === '') continue;
    const header = HEADER.exec(line);
    if (header) {
      finish();
      const [, day, month, year, id, rest] = header as unknown as [string, string, string, string, string, string];
      const lineKind = id.startsWith('DSA-') ? 'debian-dsa' : 'debian-dla';
      if (kind && kind !== lineKind) throw new VulnDataError(`line ${n}: ${id} in a ${kind === 'debian-dsa' ? 'DSA' : 'DLA'} list`);
      kind = lineKind;
      // The same id twice (a re-issued notice) keeps the first, newest entry of the list.
      if (seen.has(id)) {
        current = undefined;
        continue;
      }
      seen.add(id);
      if (advisories.length >= limits.maxRecords) throw new VulnDataError(`more than ${limits.maxRecords} advisories`);
      const published = isoDate(day, month, year);
      if (published && (!newest || published > newest)) newest = published;
      const dash = rest.indexOf(' - ');
      const summary = text(dash >= 0 ? rest.slice(dash + 3) : rest, 1024);
      current = {
        advisory: {
          id,
          source: source ?? lineKind,
          aliases: [],
          ...(summary ? { summary } : {}),
          severity: [],
          references: [],
          ...(published ? { published } : {}),
          affected: [],
        },
        cves: [],
      };
      continue;
    }
    if (n === 1 || (!current && !kind)) throw new VulnDataError(`line ${n}: not a Debian DSA/DLA list (expected "[DD Mon YYYY] DSA-NNNN-N package - description")`);
    if (!current) continue;
    const cves = CVES.exec(line);
    if (cves) {
      current.cves.push(...cves[1]!.split(/\s+/).filter((t) => t.length > 0));
      continue;
    }
    const rel = RELEASE_LINE.exec(line);
    if (rel) {
      const entry = releaseEntry(rel[1]!, rel[2]!, rel[3]!, `line ${n}`);
      if (entry) {
        if (current.advisory.affected.length >= MAX_AFFECTED) throw new VulnDataError(`line ${n}: more than ${MAX_AFFECTED} packages in ${current.advisory.id}`);
        current.advisory.affected.push(entry);
      }
    }
    // NOTE: lines and anything else indented are comments.
  }
  finish();
  if (!kind) throw new VulnDataError('not a Debian DSA/DLA list: no advisory found');
  return { kind, advisories, ...(newest ? { newest } : {}) };
}
