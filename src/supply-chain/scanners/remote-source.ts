/**
 * An image read from another registry over the distribution API, for
 * Berth's own adapter: the scan request names the registry and gives an
 * Authorization value (Harbor sends `Basic <robot credentials>` or a bearer
 * token). A Basic credential is exchanged for a bearer token at the realm
 * the registry's 401 challenge names, as docker clients do. Manifests are
 * bounded and checked against their digest; blobs are streams, hashed as
 * they pass and failed at the end when the digest differs.
 */
import { createHash } from 'node:crypto';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { DomainError } from '../../core/errors.ts';
import { parseDigest } from '../../oci/digest.ts';
import { MediaTypes } from '../../oci/manifest.ts';
import { assertRepositoryName } from '../../oci/names.ts';
import type { ImageSource } from '../analyzer/index.ts';


const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_TOKEN_BYTES = 64 * 1024;
const ACCEPT = [MediaTypes.ociManifest, MediaTypes.ociIndex, MediaTypes.dockerManifest, MediaTypes.dockerList].join(', ');

function challengeParams(header: string): Record<string, string> | undefined {
  if (!/^bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return params;
}

class VerifyDigest extends Transform {
  readonly #hash;
  readonly #expected: string;
  constructor(algorithm: string, hex: string) {
    super();
    this.#hash = createHash(algorithm);
    this.#expected = hex;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#hash.update(chunk);
    done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    const actual = this.#hash.digest('hex');
    done(actual === this.#expected ? null : new Error(`blob content has digest ${actual}, not ${this.#expected}`));
  }
}

export class RemoteImageSource implements ImageSource {
  readonly #base: string;
  readonly #repository: string;
  #authorization: string | undefined;
  readonly #basic: string | undefined;
  readonly #signal: AbortSignal;
  readonly #timeoutMs: number;

  constructor(registryUrl: string, repository: string, authorization: string | undefined, signal: AbortSignal, timeoutMs = 60_000) {
    const url = new URL(registryUrl.includes('://') ? registryUrl : `https://${registryUrl}`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DomainError('invalid', 'registry.url must be http:// or https://');
    assertRepositoryName(repository);
    this.#base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    this.#repository = repository;
    this.#authorization = authorization;
    this.#basic = authorization !== undefined && /^basic\s/i.test(authorization) ? authorization : undefined;
    this.#signal = signal;
    this.#timeoutMs = timeoutMs;
  }

  async #fetch(path: string, accept?: string, retried = false): Promise<Response> {
    const res = await fetch(`${this.#base}/v2/${this.#repository}/${path}`, {
      headers: { ...(accept ? { accept } : {}), ...(this.#authorization ? { authorization: this.#authorization } : {}) },
      signal: AbortSignal.any([this.#signal, AbortSignal.timeout(this.#timeoutMs)]),
    });
    if (res.status === 401 && !retried) {
      const params = challengeParams(res.headers.get('www-authenticate') ?? '');
      await res.body?.cancel();
      if (params?.realm !== undefined) {
        await this.#exchange(params);
        return this.#fetch(path, accept, true);
      }
    }
    return res;
  }

  /** Basic credentials (or none) for a bearer token at the challenge's realm. */
  async #exchange(params: Record<string, string>): Promise<void> {
    const realm = new URL(params.realm!);
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', params.scope ?? `repository:${this.#repository}:pull`);
    const res = await fetch(realm, { headers: this.#basic ? { authorization: this.#basic } : {}, signal: AbortSignal.any([this.#signal, AbortSignal.timeout(this.#timeoutMs)]) });
    const text = Buffer.from(await res.arrayBuffer()).subarray(0, MAX_TOKEN_BYTES).toString('utf8');
    if (res.status !== 200) throw new DomainError('unauthenticated', `registry token endpoint answered ${res.status}`);
    const body = JSON.parse(text) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!token) throw new DomainError('unauthenticated', 'registry token endpoint gave no token');
    this.#authorization = `Bearer ${token}`;
  }

  async manifest(digest: string): Promise<{ mediaType: string; body: Uint8Array }> {
    const d = parseDigest(digest);
    const res = await this.#fetch(`manifests/${d.value}`, ACCEPT);
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new DomainError(res.status === 404 ? 'not_found' : res.status === 401 || res.status === 403 ? 'forbidden' : 'unavailable', `registry answered ${res.status} for manifest ${d.value} of ${this.#repository}`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of res.body ?? []) {
      total += (chunk as Uint8Array).byteLength;
      if (total > MAX_MANIFEST_BYTES) throw new DomainError('invalid', `manifest ${d.value} exceeds ${MAX_MANIFEST_BYTES} bytes`);
      chunks.push(chunk as Uint8Array);
    }
    const body = Buffer.concat(chunks);
    const actual = createHash(d.algorithm).update(body).digest('hex');
    if (actual !== d.hex) throw new DomainError('invalid', `manifest content has digest ${d.algorithm}:${actual}, not ${d.value}`);
    const mediaType = (JSON.parse(body.toString('utf8')) as { mediaType?: unknown }).mediaType;
    return { mediaType: typeof mediaType === 'string' ? mediaType : (res.headers.get('content-type') ?? MediaTypes.ociManifest), body };
  }

  blob(digest: string): Readable {
    const d = parseDigest(digest);
    const out = new PassThrough();
    this.#fetch(`blobs/${d.value}`)
      .then((res) => {
        if (res.status !== 200 || !res.body) {
          void res.body?.cancel();
          out.destroy(new Error(`registry answered ${res.status} for blob ${d.value}`));
          return;
        }
        const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
        const verify = new VerifyDigest(d.algorithm, d.hex);
        body.on('error', (err) => out.destroy(err));
        verify.on('error', (err) => out.destroy(err));
        out.on('close', () => body.destroy());
        body.pipe(verify).pipe(out);
      })
      .catch((err: unknown) => out.destroy(err as Error));
    return out;
  }
}
