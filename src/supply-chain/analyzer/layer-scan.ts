/**
 * One layer through the catalogers: each regular file is offered to every
 * cataloger (`wants`), then its bytes are read once and fanned out — into one
 * bounded buffer for the buffer catalogers and the distribution files, and
 * into a stream per stream cataloger, with back-pressure. Whiteouts,
 * replacements and symlinks update the per-path state (LayeredMap), so what
 * is reported at the end is what the final filesystem holds.
 */
import { PassThrough } from 'node:stream';
import type { BufferCataloger, CatalogContext, Cataloger, FileRef, StreamCataloger } from './cataloger.ts';
import type { PackageFact } from '../types.ts';
import { DISTRO_FILE_MAX_BYTES, DISTRO_PATHS } from './distro.ts';
import { LayeredMap } from './layered-map.ts';
import type { TarEntry } from './layer-reader.ts';
import { whiteoutOf } from './paths.ts';

export interface PathResult {
  layer: string;
  cataloger: string;
  facts: PackageFact[];
}

/** Symlinks remembered for resolving the distribution files; beyond this many the rest are not. */
export const MAX_TRACKED_SYMLINKS = 100_000;

const DISTRO_SET = new Set(DISTRO_PATHS);

/** The state of one image's analysis across its layers. */
export class ImageFilesystem {
  readonly results = new LayeredMap<PathResult[]>();
  readonly distroFiles = new LayeredMap<Buffer>();
  readonly links = new LayeredMap<string>();
  private linkCount = 0;
  private linkLimitReported = false;

  private readonly catalogers: readonly Cataloger[];
  private readonly ctx: CatalogContext;
  private readonly skipAt: (path: string, reason: string) => void;

  constructor(catalogers: readonly Cataloger[], ctx: CatalogContext, skipAt: (path: string, reason: string) => void) {
    this.catalogers = catalogers;
    this.ctx = ctx;
    this.skipAt = skipAt;
  }

  endLayer(): void {
    this.results.endLayer();
    this.distroFiles.endLayer();
    this.links.endLayer();
  }

  /** Handles one entry of the layer `layer`. */
  async entry(e: TarEntry, layer: string): Promise<void> {
    const wh = whiteoutOf(e.path);
    if (wh) {
      if (wh.kind === 'opaque') {
        this.results.opaque(wh.dir);
        this.distroFiles.opaque(wh.dir);
        this.links.opaque(wh.dir);
      } else {
        this.results.whiteout(wh.target);
        this.distroFiles.whiteout(wh.target);
        this.links.whiteout(wh.target);
      }
      return;
    }
    const isDir = e.type === 'directory';
    this.results.replaced(e.path, isDir);
    this.distroFiles.replaced(e.path, isDir);
    this.links.replaced(e.path, isDir);

    if (e.type === 'symlink' && e.linkname !== undefined) {
      if (this.linkCount < MAX_TRACKED_SYMLINKS) {
        this.links.set(e.path, e.linkname);
        this.linkCount += 1;
      } else if (!this.linkLimitReported) {
        this.linkLimitReported = true;
        this.skipAt(e.path, `more than ${MAX_TRACKED_SYMLINKS} symlinks: later ones are not followed`);
      }
      return;
    }
    if (e.type !== 'file') return;

    // A sparse file is offered with the size it claims, so catalogers decide as they would for the expanded file.
    const file: FileRef = { path: e.path, layer, size: e.sparseSize ?? e.size, mode: e.mode };
    const buffers: BufferCataloger[] = [];
    const streams: StreamCataloger[] = [];
    for (const c of this.catalogers) {
      let wanted: boolean;
      try {
        wanted = c.wants(file);
      } catch {
        wanted = false;
      }
      if (!wanted) continue;
      if (c.mode === 'buffer') {
        if (file.size > c.maxBytes) this.skipAt(e.path, `${c.name}: file of ${file.size} bytes is larger than its limit of ${c.maxBytes} bytes`);
        else buffers.push(c);
      } else streams.push(c);
    }
    const distro = DISTRO_SET.has(e.path) && file.size <= DISTRO_FILE_MAX_BYTES;
    if (buffers.length === 0 && streams.length === 0 && !distro) return;
    if (e.sparseSize !== undefined) {
      if (buffers.length > 0 || streams.length > 0) this.skipAt(e.path, `sparse file (${e.sparseSize} bytes claimed): not read`);
      return;
    }

    const needBuffer = buffers.length > 0 || distro;
    const content = needBuffer ? Buffer.allocUnsafe(e.size) : undefined;
    let filled = 0;
    const targets = streams.map((c) => ({ c, body: new PassThrough({ highWaterMark: 256 * 1024 }), done: undefined as Promise<PackageFact[]> | undefined }));
    for (const t of targets) {
      t.body.on('error', () => {});
      t.done = Promise.resolve().then(() => t.c.scan(file, t.body, this.ctx));
      // A scanner that settles without reading everything is done with the stream.
      t.done.then(
        () => t.body.destroy(),
        () => t.body.destroy(),
      );
    }

    await new Promise<void>((resolve, reject) => {
      let waiting = 0;
      const onDrain = (): void => {
        waiting -= 1;
        if (waiting === 0) e.body.resume();
      };
      e.body.on('data', (chunk: Buffer) => {
        if (content) {
          const n = Math.min(chunk.length, content.length - filled);
          chunk.copy(content, filled, 0, n);
          filled += n;
        }
        for (const t of targets) {
          if (t.body.destroyed || t.body.writableEnded) continue;
          if (!t.body.write(chunk)) {
            waiting += 1;
            const settle = (): void => {
              t.body.off('drain', settle);
              t.body.off('close', settle);
              onDrain();
            };
            t.body.once('drain', settle);
            t.body.once('close', settle);
          }
        }
        if (waiting > 0) e.body.pause();
      });
      let ended = false;
      e.body.on('end', () => {
        ended = true;
        for (const t of targets) if (!t.body.destroyed) t.body.end();
        resolve();
      });
      e.body.on('error', reject);
      // The layer's reading was cut (limit, time, cancellation): the catalogers get the end of what came.
      (e.body as unknown as { on(ev: 'close', fn: () => void): unknown }).on('close', () => {
        if (ended) return;
        for (const t of targets) if (!t.body.destroyed) t.body.destroy(new Error('layer reading stopped'));
        resolve();
      });
      e.body.resume();
    });

    const found: PathResult[] = [];
    for (const t of targets) {
      try {
        const facts = await untilAborted(t.done!, this.ctx.signal);
        if (facts.length > 0) found.push({ layer, cataloger: t.c.name, facts });
      } catch (err) {
        this.skipAt(e.path, `${t.c.name}: ${(err as Error).message}`);
      }
    }
    if (content) {
      if (distro) this.distroFiles.set(e.path, content);
      for (const c of buffers) {
        try {
          const facts = await c.parse({ ...file, content }, this.ctx);
          if (facts.length > 0) found.push({ layer, cataloger: c.name, facts });
        } catch (err) {
          this.skipAt(e.path, `${c.name}: ${(err as Error).message}`);
        }
      }
    }
    if (found.length > 0) this.results.set(e.path, found);
  }
}

/** A cataloger's promise, or a rejection once the analysis is aborted (a stuck cataloger must not hang the scan). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('analysis stopped'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('analysis stopped'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
