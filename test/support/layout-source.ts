/**
 * The analyzer's ImageSource over an OCI image layout on disk (blobs/sha256/…),
 * for the benchmark and tools that analyse a test image without a registry.
 * Blobs are streamed from their files, never read whole.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ImageSource } from '../../src/supply-chain/analyzer/analyze.ts';
import { OciLayout } from './oci-layout.ts';

function blobPath(dir: string, digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new Error(`not a sha256 digest: ${digest}`);
  return path.join(dir, 'blobs', 'sha256', m[1]!);
}

export function layoutSource(dir: string): ImageSource {
  return {
    async manifest(digest: string) {
      const body = await readFile(blobPath(dir, digest));
      const mediaType = (JSON.parse(body.toString('utf8')) as { mediaType?: string }).mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
      return { mediaType, body };
    },
    blob(digest: string): Readable {
      return createReadStream(blobPath(dir, digest), { highWaterMark: 1024 * 1024 });
    },
  };
}

/** The digest of the layout's manifest tagged `tag`. */
export async function layoutDigest(dir: string, tag = 'latest'): Promise<string> {
  return (await new OciLayout(dir).resolve(tag)).digest;
}
