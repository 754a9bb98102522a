/**
 * Re-matching after a vulnerability data import: every stored inventory is
 * matched again against the new data and its findings and summary replaced.
 * No image is read. Reports are walked in id order, a batch at a time (one
 * read of their packages, one transaction for their findings); advisory
 * lookups are cached per run, so a package shared by a thousand images is
 * looked up once.
 */
import type { Logger } from 'pino';
import type { Advisory, Finding } from '../types.ts';
import type { AdvisoryLookup, BerthEngine, MatchMemo } from './engine.ts';
import { findingsHash, type ScanStore } from './store.ts';

export interface RematchResult {
  reports: number;
  /** Reports whose findings changed (the others were left as they were). */
  changed: number;
  findings: number;
  packages: number;
  durationMs: number;
  /** Where the time went: reading inventories, matching, writing findings. */
  readMs: number;
  matchMs: number;
  writeMs: number;
}

const norm = (ecosystem: string, name: string) => `${ecosystem.toLowerCase()}\n${name.toLowerCase().replace(/[-_.]+/g, '-')}`;

/**
 * A lookup that asks `inner` only for keys it has not seen, and remembers
 * the answer per key (an advisory is filed under each key its affected
 * packages name). An advisory naming none of the keys asked for (a source
 * that normalises names differently) is filed under every key of that call:
 * harmless, since the matcher checks names itself.
 */
export function cachedLookup(inner: AdvisoryLookup): AdvisoryLookup & { lookups: () => number } {
  const cache = new Map<string, Advisory[]>();
  let calls = 0;
  const fn = async (keys: { ecosystem: string; name: string }[]): Promise<Advisory[]> => {
    const missing = new Map<string, { ecosystem: string; name: string }>();
    for (const k of keys) {
      const n = norm(k.ecosystem, k.name);
      if (!cache.has(n) && !missing.has(n)) missing.set(n, k);
    }
    if (missing.size > 0) {
      calls++;
      const found = await inner([...missing.values()]);
      for (const n of missing.keys()) cache.set(n, []);
      for (const a of found) {
        let filed = false;
        for (const aff of a.affected) {
          const list = cache.get(norm(aff.ecosystem, aff.name));
          if (list && missing.has(norm(aff.ecosystem, aff.name)) && !list.includes(a)) {
            list.push(a);
            filed = true;
          }
        }
        if (!filed) for (const n of missing.keys()) cache.get(n)!.push(a);
      }
    }
    const out = new Set<Advisory>();
    for (const k of keys) for (const a of cache.get(norm(k.ecosystem, k.name)) ?? []) out.add(a);
    return [...out];
  };
  return Object.assign(fn, { lookups: () => calls });
}

export async function rematchAll(deps: { store: ScanStore; engine: BerthEngine; lookup: AdvisoryLookup; log: Logger; signal: AbortSignal; batchSize?: number }): Promise<RematchResult> {
  const started = performance.now();
  const lookup = cachedLookup(deps.lookup);
  const memo: MatchMemo = new Map();
  const batchSize = deps.batchSize ?? 100;
  let after = '';
  let reports = 0;
  let changed = 0;
  let findings = 0;
  let packages = 0;
  let readMs = 0;
  let matchMs = 0;
  let writeMs = 0;
  for (;;) {
    let t = performance.now();
    deps.signal.throwIfAborted();
    const batch = await deps.store.rematchable(after, batchSize);
    if (batch.length === 0) break;
    after = batch.at(-1)!.id;
    const inventories = await deps.store.inventories(batch.map((r) => r.id));
    readMs += performance.now() - t;
    t = performance.now();
    const results: { id: string; matchedAt: number | null; findings: Finding[] }[] = [];
    for (const r of batch) {
      const invs = inventories.get(r.id) ?? [];
      packages += invs.reduce((n, inv) => n + inv.packages.length, 0);
      results.push({ id: r.id, matchedAt: r.matched_at, findings: await deps.engine.match(invs, lookup, memo) });
    }
    matchMs += performance.now() - t;
    t = performance.now();
    await deps.store.db.transaction().execute(async (trx) => {
      const current = new Map(
        (await trx.selectFrom('scan_reports').select(['id', 'matched_at', 'findings_hash']).where('id', 'in', results.map((r) => r.id)).execute()).map((r) => [r.id, r]),
      );
      const unchanged: string[] = [];
      for (const r of results) {
        // A scan that finished meanwhile stored newer inventories and findings: keep those.
        const now = current.get(r.id);
        if (!now || Number(now.matched_at) !== Number(r.matchedAt)) continue;
        reports++;
        findings += r.findings.length;
        if (findingsHash(r.findings) === now.findings_hash) unchanged.push(r.id);
        else if (await deps.store.replaceFindings(trx, r.id, r.findings, now.findings_hash)) changed++;
      }
      // Same findings as stored: only the match time moves, in one statement.
      if (unchanged.length > 0) await trx.updateTable('scan_reports').set({ matched_at: Date.now() }).where('id', 'in', unchanged).execute();
    });
    writeMs += performance.now() - t;
  }
  const durationMs = Math.round(performance.now() - started);
  const split = { readMs: Math.round(readMs), matchMs: Math.round(matchMs), writeMs: Math.round(writeMs) };
  deps.log.info({ reports, changed, packages, findings, lookups: lookup.lookups(), durationMs, ...split }, 're-matched stored inventories');
  return { reports, changed, findings, packages, durationMs, ...split };
}
