/**
 * Bounds of one image analysis. Every parser of image content is bounded by
 * these, so a hostile image (tar bomb, gzip bomb, sparse file, nested jars,
 * symlink loops) ends in a bounded scan with `Skipped` reasons rather than a
 * crash, a hang or unbounded memory. The defaults are generous for real
 * images; each is a configuration option (docs/configuration.md).
 */
import type { CatalogLimits } from './cataloger.ts';

export interface AnalyzerLimits extends CatalogLimits {
  /** Tar entries read per layer; the rest of the layer is skipped. */
  maxEntriesPerLayer: number;
  /** Uncompressed bytes read per layer (a gzip bomb stops here). */
  maxLayerBytes: number;
  /** Uncompressed bytes read for one image manifest, all layers together. */
  maxImageBytes: number;
  /** Executables larger than this are not scanned for Go build info or cargo-auditable data. */
  maxBinaryBytes: number;
  /** Wall-clock limit of one image manifest's analysis. */
  timeoutMs: number;
  /** Platforms of an index analysed (an index may list hundreds of manifests). */
  maxPlatforms: number;
}

export const DEFAULT_LIMITS: AnalyzerLimits = {
  maxEntriesPerLayer: 1_000_000,
  maxLayerBytes: 16 * 1024 ** 3,
  maxImageBytes: 64 * 1024 ** 3,
  maxBinaryBytes: 512 * 1024 ** 2,
  timeoutMs: 30 * 60_000,
  maxPlatforms: 64,
  maxArchiveDepth: 4,
  maxArchiveBytes: 256 * 1024 ** 2,
  maxArchiveEntries: 100_000,
};

/** The analyzer's options as configuration carries them (see src/config/config.ts). */
export interface AnalyzerConfig {
  analyzerMaxEntriesPerLayer: number;
  analyzerMaxLayerBytes: number;
  analyzerMaxImageBytes: number;
  analyzerMaxBinaryBytes: number;
  analyzerTimeoutSeconds: number;
  analyzerMaxPlatforms: number;
  analyzerMaxArchiveDepth: number;
  analyzerMaxArchiveBytes: number;
  analyzerMaxArchiveEntries: number;
}

export function limitsFromConfig(c: AnalyzerConfig): AnalyzerLimits {
  return {
    maxEntriesPerLayer: c.analyzerMaxEntriesPerLayer,
    maxLayerBytes: c.analyzerMaxLayerBytes,
    maxImageBytes: c.analyzerMaxImageBytes,
    maxBinaryBytes: c.analyzerMaxBinaryBytes,
    timeoutMs: c.analyzerTimeoutSeconds * 1000,
    maxPlatforms: c.analyzerMaxPlatforms,
    maxArchiveDepth: c.analyzerMaxArchiveDepth,
    maxArchiveBytes: c.analyzerMaxArchiveBytes,
    maxArchiveEntries: c.analyzerMaxArchiveEntries,
  };
}
