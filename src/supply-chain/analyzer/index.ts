/**
 * The analyzer's public face for the scanning service and the benchmarks:
 * `analyzeImage(source, { digest, limits, signal, metrics })` → one Inventory
 * per image manifest. See docs/scanning.md, section "Analyzer".
 */
export { analyzeImage, AnalysisAborted, type AnalyzeOptions } from './analyze.ts';
export type { ImageSource, Platform } from './image.ts';
export { DEFAULT_LIMITS, limitsFromConfig, type AnalyzerConfig, type AnalyzerLimits } from './limits.ts';
export { createAnalyzerMetrics, type AnalyzerMetrics } from './metrics.ts';
export { defaultCatalogers } from './catalogers/index.ts';
