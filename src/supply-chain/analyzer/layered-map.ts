/**
 * What the analyzer keeps per path across layers (catalogers' results, the
 * distribution files, symlinks), with the overlay filesystem's rules: an
 * entry in a later layer replaces the path (a file over a directory replaces
 * everything under it), a whiteout `.wh.name` deletes the path and what is
 * under it, and an opaque marker `.wh..wh..opq` hides everything lower layers
 * had under its directory. Deletions and replacements apply to lower layers
 * only, whatever the order of entries inside the current layer.
 */
import { isUnder } from './paths.ts';

export class LayeredMap<V> {
  /** Values from the layers below the current one. */
  private lower = new Map<string, V>();
  /** Directories (and their ancestors) holding a lower value: prefix deletes skip the scan otherwise. */
  private lowerDirs = new Set<string>();
  /** Values of the current layer, merged over `lower` when the layer ends. */
  private current = new Map<string, V>();

  /** An entry of the current layer at `p` exists: lower values at `p` (and under it unless it is a directory) are gone. */
  replaced(p: string, isDirectory: boolean): void {
    this.lower.delete(p);
    if (!isDirectory && this.lowerDirs.has(p)) this.deleteUnder(p);
  }

  /** A whiteout for `p`: the path and anything under it is deleted from lower layers. */
  whiteout(p: string): void {
    this.lower.delete(p);
    if (this.lowerDirs.has(p)) this.deleteUnder(p);
  }

  /** An opaque directory: lower layers' content under `dir` is hidden (the directory itself stays). */
  opaque(dir: string): void {
    if (!this.lowerDirs.has(dir)) return;
    for (const k of this.lower.keys()) if (k !== dir && isUnder(k, dir)) this.lower.delete(k);
  }

  set(p: string, value: V): void {
    this.current.set(p, value);
  }

  /** A value of the current layer (not yet merged). */
  getCurrent(p: string): V | undefined {
    return this.current.get(p);
  }

  endLayer(): void {
    for (const [k, v] of this.current) this.lower.set(k, v);
    this.current.clear();
    this.lowerDirs.clear();
    for (const k of this.lower.keys()) {
      for (let i = k.lastIndexOf('/'); i > 0; i = k.lastIndexOf('/', i - 1)) {
        const dir = k.slice(0, i);
        if (this.lowerDirs.has(dir)) break;
        this.lowerDirs.add(dir);
      }
      this.lowerDirs.add('/');
    }
  }

  /** The final filesystem's values (call after the last endLayer). */
  entries(): IterableIterator<[string, V]> {
    return this.lower.entries();
  }

  get(p: string): V | undefined {
    return this.current.get(p) ?? this.lower.get(p);
  }

  get size(): number {
    return this.lower.size + this.current.size;
  }

  private deleteUnder(p: string): void {
    for (const k of this.lower.keys()) if (isUnder(k, p)) this.lower.delete(k);
  }
}
