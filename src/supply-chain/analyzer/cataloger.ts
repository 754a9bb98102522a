/**
 * The contract between the layer reader and the catalogers (one file per
 * package format under ./catalogers/). The reader streams each layer once,
 * asks every cataloger whether it wants an entry, and hands it either the
 * entry's bytes (at most `maxBytes`, read into one buffer) or the entry's
 * stream. Results are kept per path: a later layer's whiteout or overwrite of
 * that path drops them, so the inventory is that of the final filesystem.
 */
import type { Readable } from 'node:stream';
import type { Distro, PackageFact } from '../types.ts';

/** An entry of a layer, as the reader sees it. */
export interface FileRef {
  /** Absolute, normalised path (`/usr/lib/os-release`): no `.`/`..` segments, no trailing slash. */
  path: string;
  /** Digest of the layer the entry is in. */
  layer: string;
  size: number;
  /** Unix permission bits (0o755 …). */
  mode: number;
}

export interface CatalogContext {
  /** Report something not read (too big, malformed, nested too deep) with a reason; the scan goes on. */
  skip(path: string, reason: string): void;
  signal: AbortSignal;
  limits: CatalogLimits;
}

export interface CatalogLimits {
  /** Nested archives (jar in war in ear …) deeper than this are skipped. */
  maxArchiveDepth: number;
  /** Bytes of one archive (jar, war) or nested archive read into memory. */
  maxArchiveBytes: number;
  /** Entries of one archive looked at. */
  maxArchiveEntries: number;
}

interface CatalogerBase {
  /** `dpkg`, `apk`, `rpm`, `npm-lock`, `python-dist`, `go-binary`, `java-archive`, … (Package.foundBy). */
  name: string;
  /** Whether this cataloger reads the entry; called for every regular file, so keep it cheap. */
  wants(file: FileRef): boolean;
}

/** Reads small files whole: the reader buffers at most `maxBytes` (bigger entries are skipped with a reason). */
export interface BufferCataloger extends CatalogerBase {
  mode: 'buffer';
  maxBytes: number;
  parse(file: FileRef & { content: Buffer }, ctx: CatalogContext): PackageFact[] | Promise<PackageFact[]>;
}

/** Reads an entry as a stream (executables): must consume or destroy `body`, never buffer it whole. */
export interface StreamCataloger extends CatalogerBase {
  mode: 'stream';
  scan(file: FileRef, body: Readable, ctx: CatalogContext): Promise<PackageFact[]>;
}

export type Cataloger = BufferCataloger | StreamCataloger;

/** Detects the distribution from the final filesystem's os-release (or fallbacks). */
export type DistroDetector = (files: ReadonlyMap<string, Buffer>) => Distro | undefined;
