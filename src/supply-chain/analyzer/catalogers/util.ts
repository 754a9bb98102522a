/**
 * Small helpers the language catalogers share: path pieces, bounded JSON and
 * text handling. Every parser here reads outside data (a file from an image),
 * so each one takes what the layer reader already bounded by `maxBytes` and
 * caps what it produces (packages per file, nesting depth).
 */
import type { CatalogContext, FileRef } from '../cataloger.ts';
import type { PackageFact } from '../../types.ts';

/** At most this many packages from one file: a lock file listing more is hostile or broken. */
export const MAX_PACKAGES_PER_FILE = 50_000;

/** Default cap on lock files and manifests read whole (the reader skips bigger ones with a reason). */
export const LOCK_FILE_MAX_BYTES = 32 * 1024 * 1024;

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * Whether a declared file (lock file, requirements) sits inside an installed
 * package's own directory, where it describes that package's development
 * (a gem's Gemfile.lock, a wheel's requirements.txt, a crate source's
 * Cargo.lock), not what the image runs. Lock files under node_modules/ and
 * vendor/ are excluded by their catalogers the same way.
 */
export function insideInstalledPackage(path: string): boolean {
  return (
    path.includes('/site-packages/') ||
    path.includes('/dist-packages/') ||
    /\/gems\/[^/]+-\d[^/]*\//.test(path) ||
    path.includes('/.cargo/registry/') ||
    path.includes('/.cargo/git/')
  );
}

/** Parses JSON, or reports the file as skipped and returns undefined. */
export function parseJson(file: FileRef & { content: Buffer }, ctx: CatalogContext): unknown {
  try {
    return JSON.parse(stripBom(file.content.toString('utf8'))) as unknown;
  } catch (err) {
    ctx.skip(file.path, `malformed JSON: ${(err as Error).message.slice(0, 200)}`);
    return undefined;
  }
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Collects facts, dropping repeats of the same type/name/version in one file
 * (yarn.lock lists one resolution under several ranges; package-lock v1 nests
 * the same version in several places) and stopping at MAX_PACKAGES_PER_FILE.
 */
export class FactList {
  readonly facts: PackageFact[] = [];
  private readonly seen = new Set<string>();
  truncated = false;

  add(fact: PackageFact): void {
    const key = `${fact.type}\0${fact.name}\0${fact.version}\0${fact.location ?? ''}`;
    if (this.seen.has(key)) return;
    if (this.facts.length >= MAX_PACKAGES_PER_FILE) {
      this.truncated = true;
      return;
    }
    this.seen.add(key);
    this.facts.push(fact);
  }

  /** The facts; reports the file as partly read when the cap was hit. */
  done(path: string, ctx: CatalogContext): PackageFact[] {
    if (this.truncated) ctx.skip(path, `more than ${MAX_PACKAGES_PER_FILE} packages in one file; the rest ignored`);
    return this.facts;
  }
}

/** Runs a parser over a file's facts; a parser that throws leaves the file skipped with its message. */
export function collect(file: FileRef & { content: Buffer }, ctx: CatalogContext, parse: (out: FactList) => void): PackageFact[] {
  const out = new FactList();
  try {
    parse(out);
  } catch (err) {
    ctx.skip(file.path, `malformed ${basename(file.path)}: ${(err as Error).message.slice(0, 200)}`);
    return [];
  }
  return out.done(file.path, ctx);
}

/** License names from a JSON `license`/`licenses` field (string, {type}, or a list of either). */
export function licensesOf(...values: unknown[]): string[] | undefined {
  const out: string[] = [];
  for (const value of values) {
    const list = Array.isArray(value) ? value : [value];
    for (const item of list.slice(0, 20)) {
      const name = typeof item === 'string' ? str(item) : isRecord(item) ? str(item.type) ?? str(item.name) : undefined;
      if (name !== undefined && !out.includes(name)) out.push(name.slice(0, 200));
    }
  }
  return out.length > 0 ? out : undefined;
}

/**
 * The lines of a text (without `\r\n` / `\n`), one at a time: splitting a 32 MiB
 * file of blank lines into an array would hold 32 million entries at once.
 */
export function* lines(text: string): Generator<string> {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    yield text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
  }
}
