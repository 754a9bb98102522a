/**
 * The image analyzer: `analyzeImage` reads every platform of an image, layer
 * by layer as streams, runs the catalogers over the entries, and returns one
 * inventory per image manifest (packages with purl, file and layer; the
 * distribution; what was skipped and why). Bounded by AnalyzerLimits: a
 * layer or image over a bound, or past the time limit, ends with a `Skipped`
 * reason and the inventory of what was read.
 */
import type { Readable } from 'node:stream';
import type { CatalogContext, Cataloger } from './cataloger.ts';
import type { Inventory, Package, Skipped } from '../types.ts';
import { purlOf } from '../purl.ts';
import { DEFAULT_LIMITS, type AnalyzerLimits } from './limits.ts';
import { configPlatform, isForeignLayer, isLayerType, resolveImages, type ImageSource, type ImageTarget } from './image.ts';
import { readLayer } from './layer-reader.ts';
import { ImageFilesystem } from './layer-scan.ts';
import { DISTRO_PATHS, detectDistro } from './distro.ts';
import { resolveInImage } from './paths.ts';
import { defaultCatalogers } from './catalogers/index.ts';
import { reconcileLanguagePackages } from './catalogers/language.ts';
import type { AnalyzerMetrics } from './metrics.ts';

export type { ImageSource } from './image.ts';

export interface AnalyzeOptions {
  /** Digest of the manifest or index to analyse. */
  digest: string;
  limits?: Partial<AnalyzerLimits>;
  signal?: AbortSignal;
  /** Defaults to the OS, binary and language catalogers. */
  catalogers?: readonly Cataloger[];
  metrics?: AnalyzerMetrics;
}

export class AnalysisAborted extends Error {}

/** Analyses every platform of the image `options.digest`; one inventory per image manifest. */
export async function analyzeImage(source: ImageSource, options: AnalyzeOptions): Promise<Inventory[]> {
  const limits: AnalyzerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const outer: Skipped[] = [];
  const targets = await resolveImages(source, options.digest, limits.maxPlatforms, (path, reason) => outer.push({ path, reason }));
  const inventories: Inventory[] = [];
  for (const t of targets) {
    inventories.push(await analyzeManifest(source, t, limits, options));
  }
  if (inventories.length > 0 && outer.length > 0) inventories[0]!.skipped.unshift(...outer);
  return inventories;
}

async function analyzeManifest(source: ImageSource, target: ImageTarget, limits: AnalyzerLimits, options: AnalyzeOptions): Promise<Inventory> {
  const started = performance.now();
  const inv: Inventory = {
    manifestDigest: target.digest,
    packages: [],
    skipped: [],
    stats: { layers: 0, entries: 0, bytesRead: 0, durationMs: 0 },
  };
  if (target.platform) inv.platform = target.platform;
  if ('notAnImage' in target) {
    inv.skipped.push({ path: '/', reason: target.notAnImage });
    inv.stats.durationMs = Math.round(performance.now() - started);
    return inv;
  }
  if (!inv.platform) {
    const p = await configPlatform(source, target.config.digest);
    if (p) inv.platform = p;
  }

  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let currentLayer = '';
  const skip = (path: string, reason: string, layer = currentLayer): void => {
    inv.skipped.push(layer ? { path, layer, reason } : { path, reason });
  };
  const ctx: CatalogContext = { skip: (path, reason) => skip(path, reason), signal, limits };
  const fs = new ImageFilesystem(options.catalogers ?? defaultCatalogers, ctx, (path, reason) => skip(path, reason));
  let imageBytes = 0;

  for (const layer of target.layers) {
    currentLayer = layer.digest;
    if (!isLayerType(layer.mediaType)) {
      skip('/', `layer media type ${layer.mediaType || '(none)'} is not a filesystem layer: not read`);
      continue;
    }
    if (imageBytes >= limits.maxImageBytes) {
      skip('/', `image larger than ${limits.maxImageBytes} bytes uncompressed: layer not read`);
      continue;
    }
    if (signal.aborted) {
      if (options.signal?.aborted) throw new AnalysisAborted('analysis cancelled');
      skip('/', `analysis took longer than ${limits.timeoutMs} ms: layer not read`);
      continue;
    }
    const layerStarted = performance.now();
    // Storage failing is an error of the scan (retried by its job); bad content in the blob is the image's problem.
    let sourceError: Error | undefined;
    const progress = { entries: 0, bytes: 0, compressedBytes: 0 };
    let blob: Readable;
    try {
      blob = source.blob(layer.digest);
    } catch (err) {
      if (isForeignLayer(layer.mediaType)) {
        skip('/', `foreign layer not stored in the registry: not read (${(err as Error).message})`);
        continue;
      }
      throw new Error(`layer ${layer.digest} could not be read: ${(err as Error).message}`, { cause: err });
    }
    blob.on('error', (err: Error) => {
      sourceError ??= err;
    });
    try {
      const r = await readLayer(blob, {
        maxEntries: limits.maxEntriesPerLayer,
        maxBytes: Math.min(limits.maxLayerBytes, limits.maxImageBytes - imageBytes),
        signal,
        onEntry: (e) => fs.entry(e, layer.digest),
        onSkip: (name, reason) => skip(name, reason),
        result: progress,
      });
      if (r.truncated) skip('/', r.truncated);
    } catch (err) {
      if (options.signal?.aborted) throw new AnalysisAborted('analysis cancelled', { cause: err });
      if (timeout.aborted) {
        skip('/', `analysis took longer than ${limits.timeoutMs} ms: the rest of the layer was not read`);
      } else if (sourceError && isForeignLayer(layer.mediaType)) {
        skip('/', `foreign layer not stored in the registry: not read (${sourceError.message})`);
      } else if (sourceError) {
        // The message names the storage's own error; the pipeline's error (its echo) is the cause.
        throw new Error(`layer ${layer.digest} could not be read: ${sourceError.message}`, { cause: err });
      } else {
        skip('/', `layer is not a readable tar archive (${(err as Error).message}): the rest was not read`);
      }
    } finally {
      // What was read of the layer counts, even when it ended early.
      fs.endLayer();
      inv.stats.layers += 1;
      inv.stats.entries += progress.entries;
      inv.stats.bytesRead += progress.bytes;
      imageBytes += progress.bytes;
      options.metrics?.layerRead(progress.bytes, progress.compressedBytes, (performance.now() - layerStarted) / 1000);
    }
  }
  currentLayer = '';

  // The distribution, from the final filesystem, following its symlinks inside the image only.
  const links = new Map(fs.links.entries());
  const files = new Map<string, Buffer>();
  for (const p of DISTRO_PATHS) {
    const resolved = resolveInImage(p, links);
    if ('error' in resolved) {
      skip(p, resolved.error);
      continue;
    }
    const b = fs.distroFiles.get(resolved.path);
    if (b) files.set(p, b);
  }
  const distro = detectDistro(files);
  if (distro) inv.distro = distro;

  const packages: Package[] = [];
  for (const [path, results] of fs.results.entries()) {
    for (const r of results) {
      for (const fact of r.facts) {
        packages.push({ ...fact, purl: purlOf(fact, distro), location: locationOf(path, fact.location), layer: r.layer, foundBy: r.cataloger });
      }
    }
  }
  // A package both declared in a lock file and installed counts once (catalogers/reconcile.ts).
  const reconciled = reconcileLanguagePackages(packages);
  reconciled.sort((a, b) => a.type.localeCompare(b.type, 'en') || a.name.localeCompare(b.name, 'en') || a.version.localeCompare(b.version, 'en') || a.location.localeCompare(b.location, 'en'));
  inv.packages = reconciled;
  inv.stats.durationMs = Math.round(performance.now() - started);
  options.metrics?.imageAnalysed(inv);
  return inv;
}

/** Absolute location of a fact: the file, or the cataloger's more precise `file!/inner` form. */
function locationOf(path: string, inner: string | undefined): string {
  if (!inner) return path;
  if (inner.startsWith('/')) return inner;
  return `${path}!/${inner.replace(/^!?\/*/, '')}`;
}
