/**
 * The ELF program headers, read from the first bytes of an executable while
 * it streams: they tell the binary catalogers where to look (Go's build info
 * in the writable segments, where debug/buildinfo searches it;
 * cargo-auditable's unloaded section after every loaded segment), so the rest
 * of a large executable is not searched.
 */
export const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;
/** Program headers further into the file than this are not waited for. */
const MAX_PROGRAM_HEADERS_END = 64 * 1024;

export interface Segment {
  type: number;
  flags: number;
  offset: number;
  filesz: number;
}

/**
 * The program headers in `b` (the start of the file): `undefined` when more
 * bytes are needed, `null` when they cannot be read (not ELF, out of range).
 */
export function programHeaders(b: Buffer): Segment[] | null | undefined {
  if (b.length < 64) return undefined;
  if (!b.subarray(0, 4).equals(ELF_MAGIC)) return null;
  const is64 = b[4] === 2;
  const le = b[5] !== 2;
  const u16 = (o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (o: number): number => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const phoff = is64 ? u64(0x20) : u32(0x1c);
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  if (phnum === 0 || phentsize < (is64 ? 56 : 32) || phoff + phnum * phentsize > MAX_PROGRAM_HEADERS_END) return null;
  if (phoff + phnum * phentsize > b.length) return undefined;
  const out: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const e = phoff + i * phentsize;
    out.push({
      type: u32(e),
      flags: is64 ? u32(e + 4) : u32(e + 24),
      offset: is64 ? u64(e + 8) : u32(e + 4),
      filesz: is64 ? u64(e + 32) : u32(e + 16),
    });
  }
  return out;
}

/** File offset where the last loaded segment ends (0 when unknown: search everything). */
export function endOfLoadedSegments(segments: Segment[] | null): number {
  if (!segments) return 0;
  let end = 0;
  for (const s of segments) if (s.type === PT_LOAD) end = Math.max(end, s.offset + s.filesz);
  return end;
}

/**
 * The file range of the writable, non-executable loaded segments (Go's data;
 * debug/buildinfo starts at the first, some linkers put `.go.buildinfo` in a
 * later one), if there are any.
 */
export function dataRange(segments: Segment[] | null): { from: number; to: number } | undefined {
  if (!segments) return undefined;
  const data = segments.filter((s) => s.type === PT_LOAD && (s.flags & (PF_X | PF_W)) === PF_W);
  if (data.length === 0) return undefined;
  return { from: Math.min(...data.map((s) => s.offset)), to: Math.max(...data.map((s) => s.offset + s.filesz)) };
}
