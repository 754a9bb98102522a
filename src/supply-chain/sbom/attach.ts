/**
 * Attaches an SBOM to an image as an OCI 1.1 referrer: the document as a
 * blob, an empty config, and an image manifest whose `artifactType` is the
 * SBOM's media type and whose `subject` is the image. It goes through the
 * Registry's own upload and manifest code, so the referrers API (`oras
 * discover`), `artifact.pushed` events and repository sizes see it as they
 * see any pushed referrer. A regenerated SBOM replaces the one Berth attached
 * before in the same format (recognised by its annotation); SBOMs attached by
 * anyone else are left alone.
 */
import { Readable } from 'node:stream';
import { digestOf, parseDigest } from '../../oci/digest.ts';
import { MediaTypes } from '../../oci/manifest.ts';
import { RegistryError } from '../../oci/errors.ts';
import type { EventActor } from '../../platform/events/types.ts';
import type { Registry } from '../../registry/registry.ts';
import { SBOM_MEDIA_TYPES, type SbomFormat } from './common.ts';

/** Marks a referrer as written by Berth, so regeneration replaces only its own. */
export const GENERATOR_ANNOTATION = 'dev.berth.sbom.generator';

// The OCI image spec's empty descriptor: `{}`, its digest and base64 data.
const EMPTY = Buffer.from('{}');
const EMPTY_DESCRIPTOR = { mediaType: MediaTypes.ociEmpty, digest: digestOf(EMPTY), size: EMPTY.byteLength, data: EMPTY.toString('base64') };

export interface AttachedSbom {
  /** Digest of the referrer manifest. */
  digest: string;
  /** Digest and size of the document blob. */
  document: { digest: string; size: number };
  artifactType: string;
  /** Earlier Berth SBOM referrers of this format that were replaced (deleted). */
  replaced: string[];
}

async function pushBlob(registry: Registry, repository: string, body: Uint8Array): Promise<{ digest: string; size: number }> {
  const digest = digestOf(body);
  const upload = await registry.uploads.start(repository);
  const size = await registry.uploads.complete(repository, upload.id, parseDigest(digest), Readable.from([body]));
  return { digest, size };
}

/**
 * Pushes `document` (a CycloneDX or SPDX JSON document, or its bytes) as a
 * referrer of `repository@digest` and returns what was written.
 */
export async function attachSbom(
  registry: Registry,
  repository: string,
  digest: string,
  format: SbomFormat,
  document: object | Uint8Array,
  options: { actor?: EventActor; created?: string } = {},
): Promise<AttachedSbom> {
  const artifactType = SBOM_MEDIA_TYPES[format];
  const subject = await registry.getManifest(repository, parseDigest(digest).value);
  const body = document instanceof Uint8Array ? document : Buffer.from(JSON.stringify(document));
  const blob = await pushBlob(registry, repository, body);
  await pushBlob(registry, repository, EMPTY);
  const created = options.created ?? new Date().toISOString();
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    artifactType,
    config: EMPTY_DESCRIPTOR,
    layers: [
      {
        mediaType: artifactType,
        digest: blob.digest,
        size: blob.size,
        annotations: { 'org.opencontainers.image.title': format === 'cyclonedx' ? 'sbom.cdx.json' : 'sbom.spdx.json' },
      },
    ],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { 'org.opencontainers.image.created': created, [GENERATOR_ANNOTATION]: 'berth' },
  };
  const manifestBody = Buffer.from(JSON.stringify(manifest));
  const pushed = await registry.putManifest(repository, digestOf(manifestBody), manifestBody, MediaTypes.ociManifest, [], options.actor ?? 'berth');

  const replaced: string[] = [];
  const index = JSON.parse(Buffer.from((await registry.referrers(repository, subject.digest, artifactType)).body).toString('utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  for (const m of index.manifests) {
    if (m.digest === pushed.digest || m.annotations?.[GENERATOR_ANNOTATION] !== 'berth') continue;
    try {
      await registry.deleteManifest(repository, m.digest, options.actor ?? 'berth');
      replaced.push(m.digest);
    } catch (error) {
      // Another regeneration may have replaced it first.
      if (!(error instanceof RegistryError && error.code === 'MANIFEST_UNKNOWN')) throw error;
    }
  }
  return { digest: pushed.digest, document: blob, artifactType, replaced };
}
