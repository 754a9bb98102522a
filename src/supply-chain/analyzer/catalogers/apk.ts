/**
 * Alpine packages from apk's database `/lib/apk/db/installed` (or
 * `/usr/lib/apk/db/installed` in a merged-/usr image): one block per
 * package of `K:value` lines (P name, V version, A arch, o origin, L license).
 * Alpine's secdb names origin packages, so the origin is kept as the source.
 */
import type { BufferCataloger } from '../cataloger.ts';
import type { PackageFact } from '../../types.ts';

export const APK_DB = '/lib/apk/db/installed';
/** Where the same file lives once Alpine merges /usr (`/lib` then links to `usr/lib`). */
export const APK_DB_MERGED_USR = '/usr/lib/apk/db/installed';
export const MAX_APK_DB_BYTES = 64 * 1024 * 1024;

export function apkPackages(text: string): PackageFact[] {
  const out: PackageFact[] = [];
  let f: Record<string, string> = {};
  const flush = (): void => {
    if (f.P && f.V) {
      const fact: PackageFact = { type: 'apk', name: f.P, version: f.V };
      if (f.A) fact.arch = f.A;
      fact.source = { name: f.o || f.P, version: f.V };
      if (f.L) fact.licenses = [f.L];
      out.push(fact);
    }
    f = {};
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line.length < 2 || line[1] !== ':') continue;
    const key = line[0]!;
    // Only the first of a key counts: file lines (F:, R:) repeat and are not needed.
    if (f[key] === undefined) f[key] = line.slice(2).trim();
  }
  flush();
  return out;
}

export const apkCataloger: BufferCataloger = {
  name: 'apk',
  mode: 'buffer',
  maxBytes: MAX_APK_DB_BYTES,
  wants: (file) => file.path === APK_DB || file.path === APK_DB_MERGED_USR,
  parse: (file) => apkPackages(file.content.toString('utf8')),
};
