/**
 * A small reference evaluator of OSV records, written for the matching test
 * and independent of the product's matcher (no code shared with
 * src/supply-chain/vulnerabilities): it reads an OSV all.zip with yauzl and
 * says which records affect a package version, following the OSV schema's
 * evaluation algorithm (docs/schema.md, "Evaluation"): `versions[]` lists,
 * ECOSYSTEM and SEMVER ranges with introduced / fixed / last_affected events
 * (GIT ranges name commits, not versions, and are ignored), withdrawn records
 * ignored. It only knows the two version schemes the shared data needs: Go
 * semver and PEP 440.
 */
import yauzl from 'yauzl';

export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRecord {
  id: string;
  aliases?: string[];
  withdrawn?: string;
  affected?: {
    package?: { ecosystem: string; name: string };
    ranges?: { type: string; events: OsvEvent[] }[];
    versions?: string[];
  }[];
}

/** Every `*.json` record of an OSV all.zip. */
export function readOsvZip(file: string): Promise<OsvRecord[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out: OsvRecord[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith('.json')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            out.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OsvRecord);
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

// --- Go: semver 2.0.0 precedence (OSV's Go versions carry no `v`) ---

function cmpSemver(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, ...rest] = v.replace(/^v/, '').split('+')[0]!.split('-');
    return { nums: core!.split('.').map(Number), pre: rest.length ? rest.join('-').split('.') : [] };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d) return Math.sign(d);
  }
  if (!x.pre.length || !y.pre.length) return (y.pre.length ? 1 : 0) - (x.pre.length ? 1 : 0);
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) {
      const d = Number(p) - Number(q);
      if (d) return Math.sign(d);
    } else if (pn !== qn) {
      return pn ? -1 : 1;
    } else if (p !== q) {
      return p < q ? -1 : 1;
    }
  }
  return 0;
}

// --- PyPI: PEP 440 (epoch, release, pre, post, dev; local labels ignored) ---

const PEP440 = /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(?:post|rev|r)[-_.]?(\d*))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+[a-z0-9.]+)?$/i;

function pep440Key(v: string): number[] | undefined {
  const m = PEP440.exec(v.trim().toLowerCase());
  if (!m) return undefined;
  const release = m[2]!.split('.').map(Number);
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  const preKind = m[3] ? ({ a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 } as Record<string, number>)[m[3]]! : undefined;
  const post = m[5] ?? m[6];
  const dev = m[7];
  // Sort key: [epoch, release…, sentinel, pre, post, dev] where a dev release
  // of the final version sorts before its pre-releases.
  const preSlot = preKind !== undefined ? [preKind, Number(m[4] || 0)] : dev !== undefined && post === undefined ? [-1, 0] : [3, 0];
  const postSlot = post !== undefined ? [1, Number(post || 0)] : [0, 0];
  const devSlot = dev !== undefined ? [0, Number(dev || 0)] : [1, 0];
  return [Number(m[1] ?? 0), release.length, ...release, ...preSlot, ...postSlot, ...devSlot];
}

function cmpPep440(a: string, b: string): number {
  const x = pep440Key(a);
  const y = pep440Key(b);
  if (!x || !y) return a === b ? 0 : a < b ? -1 : 1;
  // Compare releases padded with zeros, then the rest.
  const rx = x.slice(2, 2 + x[1]!);
  const ry = y.slice(2, 2 + y[1]!);
  if (x[0] !== y[0]) return Math.sign(x[0]! - y[0]!);
  for (let i = 0; i < Math.max(rx.length, ry.length); i++) {
    const d = (rx[i] ?? 0) - (ry[i] ?? 0);
    if (d) return Math.sign(d);
  }
  const tx = x.slice(2 + x[1]!);
  const ty = y.slice(2 + y[1]!);
  for (let i = 0; i < tx.length; i++) if (tx[i] !== ty[i]) return Math.sign(tx[i]! - ty[i]!);
  return 0;
}

export type Scheme = 'semver' | 'pep440';
export const compare = (scheme: Scheme, a: string, b: string): number => (scheme === 'semver' ? cmpSemver(a, b) : cmpPep440(a, b));

/** OSV's evaluation of one range: walk the events in version order. */
function inRange(scheme: Scheme, version: string, events: OsvEvent[]): boolean {
  const at = (e: OsvEvent) => e.introduced ?? e.fixed ?? e.last_affected ?? e.limit ?? '0';
  const sorted = [...events].sort((p, q) => {
    if (at(p) === '0') return -1;
    if (at(q) === '0') return 1;
    return compare(scheme, at(p), at(q));
  });
  let affected = false;
  for (const e of sorted) {
    if (e.introduced !== undefined && (e.introduced === '0' || compare(scheme, version, e.introduced) >= 0)) affected = true;
    else if (e.fixed !== undefined && compare(scheme, version, e.fixed) >= 0) affected = false;
    else if (e.last_affected !== undefined && compare(scheme, version, e.last_affected) > 0) affected = false;
  }
  return affected;
}

export interface RefPackage {
  ecosystem: 'Go' | 'PyPI';
  name: string;
  version: string;
}

const normName = (eco: string, name: string) => (eco === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name);

/** The records (not withdrawn) that affect the package version. */
export function affecting(records: OsvRecord[], pkg: RefPackage): OsvRecord[] {
  const scheme: Scheme = pkg.ecosystem === 'Go' ? 'semver' : 'pep440';
  const name = normName(pkg.ecosystem, pkg.name);
  const version = pkg.version.replace(/^(v|go)(?=\d)/, '');
  return records.filter((r) => {
    if (r.withdrawn) return false;
    return (r.affected ?? []).some((a) => {
      if (a.package?.ecosystem !== pkg.ecosystem || normName(pkg.ecosystem, a.package.name) !== name) return false;
      if (a.versions?.some((v) => compare(scheme, v, version) === 0)) return true;
      return (a.ranges ?? []).some((r2) => (r2.type === 'ECOSYSTEM' || r2.type === 'SEMVER') && inRange(scheme, version, r2.events));
    });
  });
}
