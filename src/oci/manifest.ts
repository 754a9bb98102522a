/**
 * Manifest parsing and validation for the OCI image manifest and index and
 * the Docker schema 2 manifest and manifest list. Pure: existence of the
 * referenced content is checked by the caller against the repository.
 */
import { RegistryError } from './errors.ts';
import { parseDigest } from './digest.ts';

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

const MANIFEST_TYPES = new Set<string>([MediaTypes.ociManifest, MediaTypes.dockerManifest]);
const INDEX_TYPES = new Set<string>([MediaTypes.ociIndex, MediaTypes.dockerList]);

/** Layers that live outside the registry and so need not be pushed. */
const FOREIGN_LAYER_TYPES = new Set<string>([
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
]);

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface ParsedManifest {
  mediaType: string;
  kind: 'manifest' | 'index';
  /** Blobs that must exist in the repository (config and layers). */
  blobs: string[];
  /** Manifests that must exist in the repository (index entries). */
  manifests: string[];
  subject: Descriptor | undefined;
  /** For the referrers API: artifactType, else the config media type. */
  artifactType: string | undefined;
  annotations: Record<string, string> | undefined;
}

/**
 * Validates a manifest body. `contentType` is the request's Content-Type
 * (parameters stripped); when absent the body's `mediaType` decides.
 */
export function parseManifest(body: Uint8Array, contentType: string | undefined): ParsedManifest {
  if (body.byteLength > MAX_MANIFEST_BYTES) {
    throw new RegistryError('MANIFEST_TOO_LARGE', `manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (err) {
    throw new RegistryError('MANIFEST_INVALID', `manifest is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(json)) throw new RegistryError('MANIFEST_INVALID', 'manifest must be a JSON object');
  if (json.schemaVersion !== 2) {
    throw new RegistryError('MANIFEST_INVALID', `unsupported schemaVersion ${JSON.stringify(json.schemaVersion)}: only 2 is accepted`);
  }
  const declared = json.mediaType;
  if (declared !== undefined && typeof declared !== 'string') throw new RegistryError('MANIFEST_INVALID', 'mediaType must be a string');
  const generic = contentType === undefined || contentType === '' || contentType === 'application/json' || contentType === 'application/octet-stream';
  let mediaType: string;
  if (!generic) {
    mediaType = contentType;
    if (declared !== undefined && declared !== contentType) {
      throw new RegistryError('MANIFEST_INVALID', `manifest mediaType ${declared} does not match Content-Type ${contentType}`);
    }
  } else if (declared !== undefined) {
    mediaType = declared;
  } else {
    mediaType = Array.isArray(json.manifests) ? MediaTypes.ociIndex : MediaTypes.ociManifest;
  }

  const subject = json.subject === undefined ? undefined : descriptor(json.subject, 'subject');
  const annotations = stringMap(json.annotations, 'annotations');
  const artifactType = optionalString(json.artifactType, 'artifactType');

  if (MANIFEST_TYPES.has(mediaType)) {
    const config = descriptor(json.config, 'config');
    if (!Array.isArray(json.layers)) throw new RegistryError('MANIFEST_INVALID', 'layers must be an array');
    const layers = json.layers.map((l, i) => descriptor(l, `layers[${i}]`));
    const blobs = [config.digest, ...layers.filter((l) => !FOREIGN_LAYER_TYPES.has(l.mediaType)).map((l) => l.digest)];
    return {
      mediaType,
      kind: 'manifest',
      blobs: [...new Set(blobs)],
      manifests: [],
      subject,
      artifactType: artifactType ?? config.mediaType,
      annotations,
    };
  }
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(json.manifests)) throw new RegistryError('MANIFEST_INVALID', 'manifests must be an array');
    const children = json.manifests.map((m, i) => descriptor(m, `manifests[${i}]`));
    return {
      mediaType,
      kind: 'index',
      blobs: [],
      manifests: [...new Set(children.map((c) => c.digest))],
      subject,
      artifactType,
      annotations,
    };
  }
  throw new RegistryError('MANIFEST_INVALID', `unsupported manifest media type ${JSON.stringify(mediaType)}`);
}

function descriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value)) throw new RegistryError('MANIFEST_INVALID', `${where} must be a descriptor object`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || mediaType === '') throw new RegistryError('MANIFEST_INVALID', `${where}.mediaType must be a non-empty string`);
  if (typeof digest !== 'string') throw new RegistryError('MANIFEST_INVALID', `${where}.digest must be a string`);
  try {
    parseDigest(digest);
  } catch (err) {
    throw new RegistryError('MANIFEST_INVALID', `${where}.digest: ${(err as Error).message}`);
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new RegistryError('MANIFEST_INVALID', `${where}.size must be a non-negative integer`);
  }
  const d: Descriptor = { mediaType, digest, size };
  const artifactType = optionalString(value.artifactType, `${where}.artifactType`);
  if (artifactType !== undefined) d.artifactType = artifactType;
  const annotations = stringMap(value.annotations, `${where}.annotations`);
  if (annotations !== undefined) d.annotations = annotations;
  return d;
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new RegistryError('MANIFEST_INVALID', `${where} must be a string`);
  return value;
}

function stringMap(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new RegistryError('MANIFEST_INVALID', `${where} must map strings to strings`);
  }
  return value as Record<string, string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
