/**
 * From a manifest digest to the image manifests to analyse: an index (OCI or
 * Docker list) gives one per platform (attestation manifests, whose platform
 * is `unknown/unknown`, are left out); an image manifest gives itself. The
 * platform comes from the index entry, else from the image config. Only image
 * configs count as images: artifacts (Helm charts, SBOMs, signatures) are
 * reported as not analysed.
 */
import type { Readable } from 'node:stream';

/** Where the analyzer reads an image from (the registry's storage, or a test double). */
export interface ImageSource {
  manifest(digest: string): Promise<{ mediaType: string; body: Uint8Array }>;
  blob(digest: string): Readable;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface LayerRef {
  digest: string;
  mediaType: string;
  size: number;
}

export type ImageTarget =
  | { digest: string; platform?: Platform; config: { digest: string; mediaType: string; size: number }; layers: LayerRef[] }
  | { digest: string; platform?: Platform; notAnImage: string };

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
const MAX_INDEX_DEPTH = 2;

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const MANIFEST_TYPES = new Set(['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json']);
const IMAGE_CONFIG_TYPES = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);

/** Layer media types the reader understands (compression is sniffed from the bytes anyway). */
export function isLayerType(mediaType: string): boolean {
  return (
    /^application\/vnd\.oci\.image\.layer\.(v1|nondistributable\.v1)\.tar(\+gzip|\+zstd)?$/.test(mediaType) ||
    /^application\/vnd\.docker\.image\.rootfs\.(diff|foreign\.diff)\.tar(\.gzip)?$/.test(mediaType)
  );
}

/** Layers that may legitimately be absent from a registry (Windows base layers and the like). */
export function isForeignLayer(mediaType: string): boolean {
  return /foreign|nondistributable/.test(mediaType);
}

export class ImageError extends Error {}

type Json = Record<string, unknown>;

function parseJson(body: Uint8Array, what: string, max = MAX_MANIFEST_BYTES): Json {
  if (body.byteLength > max) throw new ImageError(`${what} is larger than ${max} bytes`);
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (err) {
    throw new ImageError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ImageError(`${what} is not a JSON object`);
  return v as Json;
}

function platformOf(v: unknown): Platform | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const p = v as Json;
  if (typeof p.os !== 'string' || typeof p.architecture !== 'string') return undefined;
  const out: Platform = { os: p.os, architecture: p.architecture };
  if (typeof p.variant === 'string' && p.variant) out.variant = p.variant;
  return out;
}

function descriptor(v: unknown): { digest: string; mediaType: string; size: number; platform?: Platform } | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const d = v as Json;
  if (typeof d.digest !== 'string' || !/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(d.digest)) return undefined;
  const out: { digest: string; mediaType: string; size: number; platform?: Platform } = {
    digest: d.digest,
    mediaType: typeof d.mediaType === 'string' ? d.mediaType : '',
    size: typeof d.size === 'number' ? d.size : 0,
  };
  const p = platformOf(d.platform);
  if (p) out.platform = p;
  return out;
}

/** The image manifests under `digest`, at most `maxPlatforms`; `skip` hears what was left out. */
export async function resolveImages(
  source: ImageSource,
  digest: string,
  maxPlatforms: number,
  skip: (path: string, reason: string) => void,
): Promise<ImageTarget[]> {
  const out: ImageTarget[] = [];
  const visit = async (d: string, platform: Platform | undefined, depth: number): Promise<void> => {
    const m = await source.manifest(d);
    const json = parseJson(m.body, `manifest ${d}`);
    const mediaType = (typeof json.mediaType === 'string' && json.mediaType) || m.mediaType;
    if (INDEX_TYPES.has(mediaType) || (Array.isArray(json.manifests) && !json.layers)) {
      if (depth >= MAX_INDEX_DEPTH) {
        skip(d, `index nested deeper than ${MAX_INDEX_DEPTH}: not followed`);
        return;
      }
      const entries = Array.isArray(json.manifests) ? json.manifests : [];
      for (const raw of entries) {
        const e = descriptor(raw);
        if (!e) {
          skip(d, 'index entry without a valid digest: ignored');
          continue;
        }
        if (e.platform?.os === 'unknown') continue;
        if (out.length >= maxPlatforms) {
          skip(e.digest, `more than ${maxPlatforms} platforms in the index: not analysed`);
          continue;
        }
        await visit(e.digest, e.platform, depth + 1);
      }
      return;
    }
    if (!MANIFEST_TYPES.has(mediaType) && !Array.isArray(json.layers)) {
      out.push({ digest: d, ...(platform ? { platform } : {}), notAnImage: `unsupported manifest type ${mediaType || '(none)'}` });
      return;
    }
    const config = descriptor(json.config);
    if (!config) throw new ImageError(`manifest ${d} has no valid config descriptor`);
    if (!IMAGE_CONFIG_TYPES.has(config.mediaType)) {
      out.push({ digest: d, ...(platform ? { platform } : {}), notAnImage: `not a container image (config type ${config.mediaType || '(none)'})` });
      return;
    }
    const layers: LayerRef[] = [];
    for (const raw of Array.isArray(json.layers) ? json.layers : []) {
      const l = descriptor(raw);
      if (!l) throw new ImageError(`manifest ${d} has a layer without a valid digest`);
      layers.push({ digest: l.digest, mediaType: l.mediaType, size: l.size });
    }
    out.push({ digest: d, ...(platform ? { platform } : {}), config, layers });
  };
  await visit(digest, undefined, 0);
  return out;
}

/** The platform an image config declares (os, architecture, variant). Reads at most MAX_CONFIG_BYTES. */
export async function configPlatform(source: ImageSource, digest: string): Promise<Platform | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = source.blob(digest);
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > MAX_CONFIG_BYTES) {
      stream.destroy();
      throw new ImageError(`image config ${digest} is larger than ${MAX_CONFIG_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return platformOf(parseJson(Buffer.concat(chunks), `image config ${digest}`, MAX_CONFIG_BYTES));
}
