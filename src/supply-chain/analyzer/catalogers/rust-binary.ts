/**
 * Rust crates compiled into executables built with cargo-auditable, which
 * embeds the dependency tree as zlib-compressed JSON in a `.dep-v0` section
 * (`{"packages":[{"name","version","source","kind"?,"dependencies"?,"root"?}]}`).
 * The section table naming it is at the end of the file, so a single
 * streaming pass cannot look it up by name. The section is not loaded at run
 * time (no SHF_ALLOC), so the linker places it after every PT_LOAD segment:
 * the program headers (at the start) give that offset, and past it each zlib
 * header (0x78 + a valid flag byte) is tried by inflating a few hundred bytes;
 * the one that inflates to `{"packages":` is read whole (bounded). Probing
 * only past the loaded segments keeps the cost of the many executables that
 * are not Rust small. Runtime crates are reported (build-only crates are not
 * in the binary), as syft does.
 */
import type { Readable } from 'node:stream';
import { constants, inflateSync } from 'node:zlib';
import type { CatalogContext, FileRef, StreamCataloger } from '../cataloger.ts';
import type { PackageFact } from '../../types.ts';
import { ELF_MAGIC, endOfLoadedSegments, programHeaders } from './elf.ts';
import { isExecutable, maxBinaryBytes } from './go-binary.ts';

const PREFIX = Buffer.from('{"packages":');
/** Compressed bytes tried at each candidate zlib header. */
const PROBE = 512;
/** Compressed and inflated sizes of the dependency JSON accepted (real ones are a few KiB). */
export const MAX_AUDIT_COMPRESSED = 4 * 1024 * 1024;
export const MAX_AUDIT_JSON = 32 * 1024 * 1024;
const MAX_PACKAGES = 100_000;
const ZLIB_FLAGS = new Set([0x01, 0x5e, 0x9c, 0xda]);
const SYNC = { finishFlush: constants.Z_SYNC_FLUSH };

function probe(b: Buffer): boolean {
  try {
    const out = inflateSync(b, { ...SYNC, maxOutputLength: 64 });
    return out.length >= PREFIX.length && out.subarray(0, PREFIX.length).equals(PREFIX);
  } catch (err) {
    // maxOutputLength reached means it inflated at least 64 bytes: look at them.
    return (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' && probeLong(b);
  }
}

function probeLong(b: Buffer): boolean {
  try {
    const out = inflateSync(b, { ...SYNC, maxOutputLength: 4096 });
    return out.subarray(0, PREFIX.length).equals(PREFIX);
  } catch {
    return false;
  }
}

/** Parses the inflated audit JSON; `undefined` when it is not complete yet. */
export function auditPackages(json: string): PackageFact[] | undefined {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return undefined;
  }
  const pkgs = (data as { packages?: unknown }).packages;
  if (!Array.isArray(pkgs)) throw new Error('cargo-auditable data has no packages list');
  const out: PackageFact[] = [];
  for (const p of pkgs.slice(0, MAX_PACKAGES)) {
    if (typeof p !== 'object' || p === null) continue;
    const { name, version, kind } = p as { name?: unknown; version?: unknown; kind?: unknown };
    if (typeof name !== 'string' || typeof version !== 'string' || !name || !version) continue;
    if (kind !== undefined && kind !== 'runtime') continue;
    out.push({ type: 'cargo', name, version });
  }
  return out;
}

async function scan(file: FileRef, body: Readable, ctx: CatalogContext): Promise<PackageFact[]> {
  if (file.size > maxBinaryBytes(ctx)) {
    body.destroy();
    return [];
  }
  let window: Buffer = Buffer.alloc(0);
  let offset = 0; // file offset of window[0]
  let probeFrom: number | undefined; // file offset where probing starts
  let checkedElf = false;
  let capture: Buffer | undefined;
  const tryCapture = (): PackageFact[] | undefined => {
    const inflated = inflateSync(capture!, { ...SYNC, maxOutputLength: MAX_AUDIT_JSON });
    return auditPackages(inflated.toString('utf8'));
  };
  const finishCapture = (final: boolean): PackageFact[] | undefined => {
    try {
      const r = tryCapture();
      if (r) return r;
    } catch (err) {
      ctx.skip(file.path, `rust-binary: cargo-auditable data unreadable (${(err as Error).message})`);
      return [];
    }
    if (final || capture!.length > MAX_AUDIT_COMPRESSED) {
      ctx.skip(file.path, 'rust-binary: cargo-auditable data truncated or larger than its limit');
      return [];
    }
    return undefined;
  };
  /** Looks for the audit data among the candidates of `window` whose probe bytes are all there. */
  const search = (final: boolean): number => {
    const limit = final ? window.length : window.length - PROBE;
    const first = Math.max(0, (probeFrom ?? 0) - offset);
    for (let i = window.indexOf(0x78, first); i >= 0 && i < limit; i = window.indexOf(0x78, i + 1)) {
      if (!ZLIB_FLAGS.has(window[i + 1]!)) continue;
      if (probe(window.subarray(i, i + PROBE))) return i;
    }
    return -1;
  };

  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (ctx.signal.aborted) break;
    if (capture) {
      capture = Buffer.concat([capture, chunk]);
      const r = finishCapture(false);
      if (r) {
        body.destroy();
        return r;
      }
      continue;
    }
    window = window.length ? Buffer.concat([window, chunk]) : chunk;
    if (!checkedElf) {
      if (window.length < 4) continue;
      checkedElf = true;
      if (!window.subarray(0, 4).equals(ELF_MAGIC)) {
        body.destroy();
        return [];
      }
    }
    if (probeFrom === undefined) {
      const segments = programHeaders(window);
      if (segments === undefined) continue;
      probeFrom = endOfLoadedSegments(segments);
    }
    if (offset + window.length <= probeFrom) {
      // Still inside the loaded segments: nothing to keep.
      offset += window.length;
      window = Buffer.alloc(0);
      continue;
    }
    const at = search(false);
    if (at >= 0) {
      capture = Buffer.from(window.subarray(at));
      const r = finishCapture(false);
      if (r) {
        body.destroy();
        return r;
      }
      continue;
    }
    // Keep the bytes whose candidates could not be probed yet.
    const keep = Math.min(window.length, PROBE);
    offset += window.length - keep;
    window = Buffer.from(window.subarray(window.length - keep));
  }
  if (capture) return finishCapture(true) ?? [];
  if (checkedElf && window.length > 0) {
    const at = search(true);
    if (at >= 0) {
      capture = Buffer.from(window.subarray(at));
      return finishCapture(true) ?? [];
    }
  }
  return [];
}

export const rustBinaryCataloger: StreamCataloger = {
  name: 'rust-binary',
  mode: 'stream',
  wants: isExecutable,
  scan,
};
