/** Rendering: application source in a tree → desired Kubernetes objects. */
export { ManifestRenderer, detectSourceType } from './renderer.ts';
export type { ManifestRendererOptions, RenderOptions, RenderStats, SourceType } from './renderer.ts';
export { RenderError } from './errors.ts';
export type { RenderErrorCode } from './errors.ts';
