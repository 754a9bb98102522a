/**
 * Go modules compiled into executables, from the build information the Go
 * linker embeds (`go version -m` reads the same): found while streaming by
 * the magic `\xff Go buildinf:` at a 16-byte aligned offset in the data
 * segment (the whole file when it has no program headers). Since Go 1.18
 * the version and module strings follow the 32-byte header inline (flag bit
 * 2); older binaries hold pointers into the data segment, which a single
 * streaming pass cannot follow, so they are skipped with a reason. Reports
 * the main module, every dependency (a `=>` replacement line replaces the
 * dependency before it, as syft and `go version -m` report it) and the
 * standard library as `stdlib` at the Go version (`go1.21.5`, syft's form).
 */
import type { Readable } from 'node:stream';
import type { CatalogContext, FileRef, StreamCataloger } from '../cataloger.ts';
import type { PackageFact } from '../../types.ts';
import { DEFAULT_LIMITS, type AnalyzerLimits } from '../limits.ts';
import { ELF_MAGIC, dataRange, programHeaders } from './elf.ts';

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_BYTES = 32;
/** Version string plus module info read after the header; real ones are a few KiB to a few hundred. */
export const MAX_BUILDINFO_BYTES = 4 * 1024 * 1024;

/** Smallest executable worth looking at (a Go binary is megabytes). */
const MIN_SIZE = 4096;

export function isExecutable(file: FileRef): boolean {
  return (file.mode & 0o111) !== 0 && file.size >= MIN_SIZE;
}

export function maxBinaryBytes(ctx: CatalogContext): number {
  return (ctx.limits as Partial<AnalyzerLimits>).maxBinaryBytes ?? DEFAULT_LIMITS.maxBinaryBytes;
}

function readUvarint(b: Buffer, pos: number): { value: number; next: number } | undefined {
  let value = 0;
  let shift = 0;
  for (let i = pos; i < b.length && i < pos + 10; i++) {
    const byte = b[i]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    shift += 7;
  }
  return undefined;
}

type BuildInfo = { goVersion: string; modinfo: string } | { old: true } | 'incomplete' | 'invalid';

/** Parses the bytes from the magic on. */
export function parseBuildInfo(b: Buffer): BuildInfo {
  if (b.length < 16) return 'incomplete';
  const ptrSize = b[14]!;
  const flags = b[15]!;
  if (ptrSize !== 4 && ptrSize !== 8) return 'invalid';
  if ((flags & 0x2) === 0) return { old: true };
  if (b.length < HEADER_BYTES) return 'incomplete';
  const v = readUvarint(b, HEADER_BYTES);
  if (!v) return b.length < HEADER_BYTES + 10 ? 'incomplete' : 'invalid';
  if (v.value > 1024) return 'invalid';
  if (v.next + v.value > b.length) return 'incomplete';
  const goVersion = b.toString('utf8', v.next, v.next + v.value);
  if (!goVersion.startsWith('go') && goVersion !== 'devel') return 'invalid';
  const m = readUvarint(b, v.next + v.value);
  if (!m) return b.length < v.next + v.value + 10 ? 'incomplete' : 'invalid';
  if (m.value > MAX_BUILDINFO_BYTES) return 'invalid';
  if (m.next + m.value > b.length) return 'incomplete';
  let modinfo = b.toString('latin1', m.next, m.next + m.value);
  // The module info is wrapped in 16-byte sentinels (runtime/debug's modinfo markers).
  if (modinfo.length >= 33 && modinfo[modinfo.length - 17] === '\n') modinfo = modinfo.slice(16, -16);
  return { goVersion, modinfo: Buffer.from(modinfo, 'latin1').toString('utf8') };
}

export function goPackages(goVersion: string, modinfo: string): PackageFact[] {
  const out: PackageFact[] = [];
  const deps: PackageFact[] = [];
  let main: PackageFact | undefined;
  for (const line of modinfo.split('\n')) {
    const f = line.split('\t');
    if (f[0] === 'mod' && f[1]) main = { type: 'golang', name: f[1], version: f[2] || '(devel)' };
    else if (f[0] === 'dep' && f[1] && f[2]) deps.push({ type: 'golang', name: f[1], version: f[2] });
    else if (f[0] === '=>' && f[1] && deps.length > 0) {
      // A replacement by a local directory has no version: keep the required one.
      const replaced = deps[deps.length - 1]!;
      if (f[2]) deps[deps.length - 1] = { type: 'golang', name: f[1], version: f[2] };
      else deps[deps.length - 1] = replaced;
    }
  }
  if (main) out.push(main);
  out.push(...deps);
  const go = /^go\d+(\.\d+)*([a-z]+\d+)?/.exec(goVersion.trim())?.[0];
  if (go) out.push({ type: 'golang', name: 'stdlib', version: go });
  return out;
}

/** How far into the data segments the magic is looked for at most (they are usually far smaller). */
const MAX_SEARCH_BYTES = 64 * 1024 * 1024;

/**
 * Streams the executable, looking for the build-info magic at aligned offsets.
 * With readable program headers only the writable segments are searched
 * (`.go.buildinfo` is the first section of the first when Go links, a few
 * sections in when gcc links a cgo binary — 66 KiB in for the CNI plugins
 * Debian ships — and in the second for some Google-built binaries), and the
 * stream is let go after them; otherwise the whole file is searched.
 */
async function scan(file: FileRef, body: Readable, ctx: CatalogContext): Promise<PackageFact[]> {
  if (file.size > maxBinaryBytes(ctx)) {
    ctx.skip(file.path, `go-binary: executable of ${file.size} bytes is larger than the ${maxBinaryBytes(ctx)}-byte limit`);
    body.destroy();
    return [];
  }
  let offset = 0; // file offset of `window[0]`
  let window: Buffer = Buffer.alloc(0);
  let capture: Buffer[] | undefined;
  let captured = 0;
  let range: { from: number; to: number } | undefined;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (ctx.signal.aborted) break;
    if (capture) {
      capture.push(chunk);
      captured += chunk.length;
      const all = Buffer.concat(capture);
      const info = parseBuildInfo(all);
      if (info !== 'incomplete' || captured > MAX_BUILDINFO_BYTES) return finish(info, file, ctx, body);
      capture = [all];
      continue;
    }
    window = window.length ? Buffer.concat([window, chunk]) : chunk;
    if (!range) {
      const segments = programHeaders(window);
      if (segments === undefined) continue;
      if (segments === null && !window.subarray(0, 4).equals(ELF_MAGIC)) {
        body.destroy();
        return [];
      }
      const data = dataRange(segments);
      range = data === undefined ? { from: 0, to: Infinity } : { from: data.from, to: Math.min(data.to, data.from + MAX_SEARCH_BYTES) };
    }
    if (offset >= range.to) {
      body.destroy();
      return [];
    }
    if (offset + window.length <= range.from) {
      offset += window.length;
      window = Buffer.alloc(0);
      continue;
    }
    let from = Math.max(0, range.from - offset);
    for (;;) {
      const i = window.indexOf(MAGIC, from);
      if (i < 0 || offset + i >= range.to) break;
      if ((offset + i) % 16 === 0) {
        const rest = window.subarray(i);
        const info = parseBuildInfo(rest);
        if (info === 'incomplete') {
          capture = [Buffer.from(rest)];
          captured = rest.length;
          break;
        }
        if (info !== 'invalid') return finish(info, file, ctx, body);
      }
      from = i + 1;
    }
    if (capture) continue;
    // Keep just enough to find a magic split across chunks.
    const keep = Math.min(window.length, MAGIC.length - 1);
    offset += window.length - keep;
    window = Buffer.from(window.subarray(window.length - keep));
  }
  if (capture) return finish(parseBuildInfo(Buffer.concat(capture)), file, ctx, body);
  return [];
}

function finish(info: BuildInfo, file: FileRef, ctx: CatalogContext, body: Readable): PackageFact[] {
  body.destroy();
  if (info === 'incomplete' || info === 'invalid') {
    ctx.skip(file.path, 'go-binary: build info truncated or malformed');
    return [];
  }
  if ('old' in info) {
    ctx.skip(file.path, 'go-binary: build info in the pre-Go 1.18 format (pointers into the data segment): not read');
    return [];
  }
  return goPackages(info.goVersion, info.modinfo);
}

export const goBinaryCataloger: StreamCataloger = {
  name: 'go-binary',
  mode: 'stream',
  wants: isExecutable,
  scan,
};
