/**
 * Java archives (JAR, WAR, EAR and their plugin variants): every
 * `META-INF/maven/<group>/<artifact>/pom.properties` names a Maven artifact
 * (fat and shaded jars carry several); an archive without one matching its
 * file name is named from its manifest and file name, as syft does; archives
 * inside archives (WEB-INF/lib, BOOT-INF/lib, an EAR's modules) are opened
 * from memory with yauzl.fromBuffer. An image's own archive bigger than
 * IN_MEMORY_MAX goes to a private temporary file instead and is read from there
 * (a 150 MiB Spring Boot jar costs the size of its largest nested jar in memory,
 * not 150 MiB).
 *
 * Bounds (CatalogLimits): an archive or nested archive bigger than
 * maxArchiveBytes is skipped, nesting deeper than maxArchiveDepth is skipped,
 * at most maxArchiveEntries entries of each archive are looked at, and the
 * bytes inflated from nested archives of one file stop at 4 × maxArchiveBytes
 * (a zip bomb of nested jars). yauzl checks each entry's real size against
 * the declared one. Entry names are labels here, never paths on disk.
 */
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import type { CatalogContext, FileRef, StreamCataloger } from '../cataloger.ts';
import type { PackageFact } from '../../types.ts';
import { knownMavenGroup } from './maven-groups.ts';
import { FactList, basename } from './util.ts';

const ARCHIVE_EXTENSIONS = new Set(['jar', 'war', 'ear', 'jpi', 'hpi', 'sar', 'par', 'kar', 'lpkg']);

/** `wants` runs on every file of an image: an extension lookup, not a regular expression. */
function isArchiveName(path: string): boolean {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') && ARCHIVE_EXTENSIONS.has(path.slice(dot + 1).toLowerCase());
}
const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
const SMALL_ENTRY_MAX = 1024 * 1024;
/** Archives up to this size are read into memory; bigger ones through a temporary file. */
export const IN_MEMORY_MAX = 8 * 1024 * 1024;

/** Reads a stream into one buffer, or returns undefined (and destroys it) past `max` bytes. */
async function readBounded(body: Readable, max: number, signal: AbortSignal): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max || signal.aborted) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** `Key: value` pairs of a manifest's main section (72-byte lines continued by a leading space). */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let key: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '') break;
    if (line.startsWith(' ') && key !== undefined) {
      out.set(key, (out.get(key) ?? '') + line.slice(1));
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    key = line.slice(0, colon).trim();
    out.set(key, line.slice(colon + 1).trim());
  }
  return out;
}

/** `.properties` key=value lines (comments and blank lines skipped). */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** `commons-lang3-3.12.0.jar` → artifact `commons-lang3`, version `3.12.0`. */
export function parseArchiveFileName(name: string): { artifact: string; version?: string } {
  const base = basename(name);
  const stem = isArchiveName(base) ? base.slice(0, base.lastIndexOf('.')) : base;
  const m = /^(.+?)-(\d[\w.+-]*)$/.exec(stem);
  return m ? { artifact: m[1]!, version: m[2]! } : { artifact: stem };
}

/** Skip reasons reported per image file; a hostile archive nesting thousands of jars gets a count beyond this. */
const MAX_SKIPS_PER_FILE = 20;

interface Walk {
  ctx: CatalogContext;
  /** Reports a skipped entry, at most MAX_SKIPS_PER_FILE of them (see finish). */
  skip(path: string, reason: string): void;
  skips: number;
  out: FactList;
  /** Bytes inflated from nested archives so far, against the per-file budget. */
  nestedBytes: number;
  budget: number;
}

// decodeStrings false: names come as bytes, so yauzl's own name checks cannot abort the archive.
const ZIP_OPTIONS = { lazyEntries: true, decodeStrings: false, validateEntrySizes: true } as const;

function openZip(source: Buffer | string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, zip: yauzl.ZipFile): void => (err ? reject(err) : resolve(zip));
    if (typeof source === 'string') yauzl.open(source, { ...ZIP_OPTIONS, autoClose: false }, done);
    else yauzl.fromBuffer(source, ZIP_OPTIONS, done);
  });
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, max: number, signal: AbortSignal): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      readBounded(stream, max, signal).then(resolve, reject);
    });
  });
}

async function catalogArchive(source: Buffer | string, label: string, depth: number, w: Walk): Promise<void> {
  const { limits } = w.ctx;
  const zip = await openZip(source);
  const poms: Map<string, string>[] = [];
  let manifest: Map<string, string> | undefined;
  const nested: { name: string; entry: yauzl.Entry }[] = [];
  let count = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          if (++count > limits.maxArchiveEntries) {
            w.skip(label, `more than ${limits.maxArchiveEntries} entries; the rest not read`);
            return resolve();
          }
          if (w.ctx.signal.aborted) return reject(new Error('aborted'));
          const name = (entry.fileName as unknown as Buffer).toString('utf8');
          if (name.endsWith('/')) return zip.readEntry();
          if (name === 'META-INF/MANIFEST.MF' || POM_PROPERTIES.test(name)) {
            if (entry.uncompressedSize <= SMALL_ENTRY_MAX) {
              const content = await readEntry(zip, entry, SMALL_ENTRY_MAX, w.ctx.signal);
              if (content !== undefined) {
                if (name === 'META-INF/MANIFEST.MF') manifest = parseManifest(content.toString('utf8'));
                else poms.push(parseProperties(content.toString('utf8')));
              }
            }
          } else if (isArchiveName(name)) nested.push({ name, entry });
          zip.readEntry();
        })().catch(reject);
      });
      zip.readEntry();
    });
    for (const fact of factsOf(label, poms, manifest, depth)) w.out.add(fact);
    for (const { name, entry } of nested) {
      const inner = `${label}!/${name}`;
      if (depth + 1 > limits.maxArchiveDepth) {
        w.skip(inner, `archive nested deeper than ${limits.maxArchiveDepth}`);
        continue;
      }
      if (entry.uncompressedSize > limits.maxArchiveBytes) {
        w.skip(inner, `nested archive of ${entry.uncompressedSize} bytes is larger than ${limits.maxArchiveBytes}`);
        continue;
      }
      if (w.nestedBytes + entry.uncompressedSize > w.budget) {
        w.skip(inner, `nested archives of this file exceed ${w.budget} bytes in total`);
        continue;
      }
      w.nestedBytes += entry.uncompressedSize;
      try {
        const content = await readEntry(zip, entry, limits.maxArchiveBytes, w.ctx.signal);
        if (content === undefined) w.skip(inner, `nested archive larger than ${limits.maxArchiveBytes} bytes`);
        else await catalogArchive(content, inner, depth + 1, w);
      } catch (err) {
        w.skip(inner, `unreadable nested archive: ${(err as Error).message.slice(0, 200)}`);
      }
    }
  } finally {
    zip.close();
  }
}

/** Packages of one archive from its pom.properties, or its manifest and file name when none matches. */
function factsOf(label: string, poms: Map<string, string>[], manifest: Map<string, string> | undefined, depth: number): PackageFact[] {
  const location = depth > 0 ? label : undefined;
  const facts: PackageFact[] = [];
  const file = parseArchiveFileName(label.slice(label.lastIndexOf('/') + 1));
  let matched = false;
  for (const pom of poms) {
    const group = pom.get('groupId');
    const artifact = pom.get('artifactId');
    const version = pom.get('version');
    if (!group || !artifact || !version) continue;
    if (artifact === file.artifact) matched = true;
    facts.push({ type: 'maven', name: `${group}:${artifact}`, version, ...(location ? { location } : {}) });
  }
  if (matched) return facts;
  const m = manifest ?? new Map<string, string>();
  const field = (key: string): string | undefined => m.get(key)?.replace(/^"(.*)"$/, '$1').trim() || undefined;
  // The file name's version first, as syft does: manifests are copied between releases
  // (commons-beanutils-1.7.0.jar says Implementation-Version 1.6).
  const declared = field('Implementation-Version') ?? field('Specification-Version') ?? field('Plugin-Version') ?? field('Bundle-Version');
  const version = file.version ?? declared;
  // With pom.properties present but none for this file (a shaded jar), the file still is a package when it says its version.
  if (version === undefined || (facts.length > 0 && file.version === undefined && field('Implementation-Version') === undefined)) return facts;
  const artifact = file.version !== undefined ? file.artifact : (field('Implementation-Title') ?? field('Bundle-Name') ?? file.artifact);
  // Without a declared group: a well-known artifact's group (maven-groups.ts), else the artifact is its
  // own group, Maven's convention for the old artifacts that ship without pom.properties (junit:junit,
  // log4j:log4j, asm:asm, javax.inject:javax.inject).
  // Automatic-Module-Name is a module name; it says the group only when it is not the artifact's own
  // name dotted (org.slf4j for slf4j-api, but spring.core for spring-core).
  const moduleName = field('Automatic-Module-Name');
  const moduleGroup = moduleName !== undefined && moduleName !== artifact.replaceAll('-', '.') ? moduleName : undefined;
  const group = field('Implementation-Vendor-Id') ?? knownMavenGroup(artifact) ?? moduleGroup ?? artifact;
  const name = `${group}:${artifact}`;
  if (!facts.some((f) => f.name === name && f.version === version)) facts.push({ type: 'maven', name, version, ...(location ? { location } : {}) });
  return facts;
}

export const javaArchiveCataloger: StreamCataloger = {
  name: 'java-archive',
  mode: 'stream',
  wants: (f) => isArchiveName(f.path),
  async scan(file: FileRef, body: Readable, ctx: CatalogContext): Promise<PackageFact[]> {
    const max = ctx.limits.maxArchiveBytes;
    if (file.size > max) {
      body.destroy();
      ctx.skip(file.path, `archive of ${file.size} bytes is larger than ${max}`);
      return [];
    }
    const w = newWalk(file, ctx);
    if (file.size > IN_MEMORY_MAX) return viaTempFile(file, body, w);
    const buffer = await readBounded(body, Math.min(max, IN_MEMORY_MAX), ctx.signal);
    if (buffer === undefined) {
      // The entry was bigger than its header said; nothing of it is worth trusting.
      ctx.skip(file.path, ctx.signal.aborted ? 'scan aborted' : `archive larger than its declared ${file.size} bytes`);
      return [];
    }
    try {
      await catalogArchive(buffer, file.path, 0, w);
    } catch (err) {
      ctx.skip(file.path, `unreadable archive: ${(err as Error).message.slice(0, 200)}`);
    }
    return finish(w, file);
  },
};

function newWalk(file: FileRef, ctx: CatalogContext): Walk {
  const w: Walk = {
    ctx,
    skips: 0,
    skip(path, reason) {
      if (++w.skips <= MAX_SKIPS_PER_FILE) ctx.skip(path, reason);
    },
    out: new FactList(),
    nestedBytes: 0,
    budget: 4 * ctx.limits.maxArchiveBytes,
  };
  return w;
}

function finish(w: Walk, file: FileRef): PackageFact[] {
  if (w.skips > MAX_SKIPS_PER_FILE) w.ctx.skip(file.path, `${w.skips - MAX_SKIPS_PER_FILE} more entries of this archive skipped (reasons as above)`);
  return w.out.done(file.path, w.ctx);
}

/** A big archive: copied (bounded) to a private temporary file, read from there, removed. */
async function viaTempFile(file: FileRef, body: Readable, w: Walk): Promise<PackageFact[]> {
  const { ctx } = w;
  const max = ctx.limits.maxArchiveBytes;
  const dir = await mkdtemp(join(tmpdir(), 'berth-jar-'));
  try {
    await chmod(dir, 0o700);
    const copy = join(dir, 'archive.zip');
    let written = 0;
    const bound = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        if (written > max) cb(new Error(`archive larger than ${max} bytes`));
        else cb(null, chunk);
      },
    });
    try {
      await pipeline(body, bound, createWriteStream(copy, { mode: 0o600 }), { signal: ctx.signal });
    } catch (err) {
      ctx.skip(file.path, ctx.signal.aborted ? 'scan aborted' : (err as Error).message.slice(0, 200));
      return [];
    }
    try {
      await catalogArchive(copy, file.path, 0, w);
    } catch (err) {
      ctx.skip(file.path, `unreadable archive: ${(err as Error).message.slice(0, 200)}`);
    }
    return finish(w, file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
