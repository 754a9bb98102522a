/**
 * The analyzer's view of an image stored in Berth: manifests from the
 * database, blobs streamed from blob storage. Manifests are read in the
 * scanned repository only, so a scan reads what a pull of it could.
 */
import type { Readable } from 'node:stream';
import { parseDigest } from '../../oci/digest.ts';
import type { Registry } from '../../registry/registry.ts';
import type { ImageSource } from './engine.ts';

export class RegistryImageSource implements ImageSource {
  readonly #registry: Registry;
  readonly #repository: string;

  constructor(registry: Registry, repository: string) {
    this.#registry = registry;
    this.#repository = repository;
  }

  async manifest(digest: string): Promise<{ mediaType: string; body: Uint8Array }> {
    const m = await this.#registry.getManifest(this.#repository, parseDigest(digest).value);
    return { mediaType: m.mediaType, body: m.content };
  }

  /**
   * Streams the blob. The analyzer asks only for blobs the repository's
   * manifests reference, and a manifest push is refused unless every blob
   * it references is linked to the repository.
   */
  blob(digest: string): Readable {
    return this.#registry.storage.read(parseDigest(digest));
  }
}
