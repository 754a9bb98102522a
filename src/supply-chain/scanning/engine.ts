/**
 * The pluggable scan engine. A scan job asks `engineFor(project)` for the
 * engine of the artifact's project and hands it the target; the engine
 * returns inventories (stored as packages, re-matched after every
 * vulnerability data import) and/or findings (an external scanner that only
 * reports vulnerabilities). Berth's own engine is the analyzer plus the
 * matcher; the external one (Harbor's Pluggable Scanner API) is provided by
 * src/supply-chain/scanners and registered through `ScanEngines.resolver`.
 */
import type { Readable } from 'node:stream';
import type { Advisory, Finding, Inventory, Package } from '../types.ts';

export interface ScanTarget {
  project: string;
  repository: string;
  digest: string;
  mediaType: string;
}

export interface ScannerInfo {
  name: string;
  vendor: string;
  version: string;
}

export interface ScanResult {
  scanner: ScannerInfo;
  inventories?: Inventory[];
  findings?: Finding[];
}

export interface ScanEngine {
  name: string;
  scan(target: ScanTarget, signal: AbortSignal): Promise<ScanResult>;
}

/** Where the analyzer reads an image from (Berth's own blob storage, see image-source.ts). */
export interface ImageSource {
  manifest(digest: string): Promise<{ mediaType: string; body: Uint8Array }>;
  blob(digest: string): Readable;
}

/** Vulnerability data for a batch of package keys (the vulnerability database's lookup). */
export type AdvisoryLookup = (keys: { ecosystem: string; name: string }[]) => Promise<Advisory[]> | Advisory[];

/** The analyzer: every platform of the image, one inventory each. */
export type Analyze = (source: ImageSource, target: ScanTarget, signal: AbortSignal) => Promise<Inventory[]>;

/** The matcher: findings of one inventory against the data the lookup returns. */
export type Match = (inventory: Inventory, lookup: AdvisoryLookup) => Finding[] | Promise<Finding[]>;

export const BERTH_ENGINE = 'berth';

/**
 * Berth's own engine: analyze, then match every inventory. The matching half
 * is exposed (`match`) so the re-match job runs exactly the same code on the
 * stored inventories.
 */
export class BerthEngine implements ScanEngine {
  readonly name = BERTH_ENGINE;
  readonly #analyze: Analyze;
  readonly #match: Match;
  readonly #lookup: () => AdvisoryLookup;
  readonly #source: (repository: string) => ImageSource;
  readonly #scanner: ScannerInfo;

  constructor(deps: { analyze: Analyze; match: Match; lookup: () => AdvisoryLookup; source: (repository: string) => ImageSource; version: string }) {
    this.#analyze = deps.analyze;
    this.#match = deps.match;
    this.#lookup = deps.lookup;
    this.#source = deps.source;
    this.#scanner = { name: 'Berth', vendor: 'Berth', version: deps.version };
  }

  get scanner(): ScannerInfo {
    return this.#scanner;
  }

  async scan(target: ScanTarget, signal: AbortSignal): Promise<ScanResult> {
    const inventories = await this.#analyze(this.#source(target.repository), target, signal);
    signal.throwIfAborted();
    const findings = await this.match(inventories, this.#lookup());
    return { scanner: this.#scanner, inventories, findings };
  }

  /**
   * Findings of stored or fresh inventories; one vulnerability of one
   * package is reported once even when two platforms have it. With `memo`
   * (the re-match of many inventories), a package already matched in this
   * run (same distro, type, name, version, source) reuses its findings:
   * the matcher judges each package on its own, so the result is the same,
   * and images share most of their packages.
   */
  async match(inventories: readonly Inventory[], lookup: AdvisoryLookup, memo?: MatchMemo): Promise<Finding[]> {
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const inventory of inventories) {
      for (const f of memo ? await this.#memoized(inventory, lookup, memo) : await this.#match(inventory, lookup)) {
        const key = `${f.id}\n${f.purl}\n${f.location}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(f);
      }
    }
    return out;
  }

  async #memoized(inventory: Inventory, lookup: AdvisoryLookup, memo: MatchMemo): Promise<Finding[]> {
    const distro = `${inventory.distro?.id ?? ''}\n${inventory.distro?.versionId ?? ''}\n${inventory.distro?.codename ?? ''}`;
    const keyOf = (p: Package) => `${distro}\n${p.type}\n${p.name}\n${p.version}\n${p.source?.name ?? ''}\n${p.source?.version ?? ''}\n${p.arch ?? ''}`;
    const fresh = inventory.packages.filter((p) => !memo.has(keyOf(p)));
    if (fresh.length > 0) {
      if (memo.size + fresh.length > MAX_MEMO) memo.clear();
      const byPackage = new Map<string, Finding[]>(fresh.map((p) => [`${p.purl}\0${p.location}`, []]));
      for (const f of await this.#match({ ...inventory, packages: fresh }, lookup)) byPackage.get(`${f.purl}\0${f.location}`)?.push(f);
      for (const p of fresh) memo.set(keyOf(p), byPackage.get(`${p.purl}\0${p.location}`) ?? []);
    }
    const out: Finding[] = [];
    for (const p of inventory.packages) {
      for (const f of memo.get(keyOf(p)) ?? []) out.push({ ...f, packageType: p.type, package: p.name, installedVersion: p.version, purl: p.purl, layer: p.layer, location: p.location });
    }
    return out;
  }
}

/** Findings per package identity, shared across the inventories of one re-match run. */
export type MatchMemo = Map<string, Finding[]>;
const MAX_MEMO = 200_000;

/** Chooses the engine of a project: an external scanner when one is configured for it, else Berth's own. */
export class ScanEngines {
  readonly berth: BerthEngine;
  /** Set by the external-scanner unit: the engine configured for a project, or undefined for Berth's own. */
  resolver: ((project: string) => Promise<ScanEngine | undefined>) | undefined;

  constructor(berth: BerthEngine) {
    this.berth = berth;
  }

  async engineFor(project: string): Promise<ScanEngine> {
    return (await this.resolver?.(project)) ?? this.berth;
  }
}
