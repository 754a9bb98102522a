/** Minimal raw-HTTP OCI client for tests that assert exact wire behaviour. */
import { createHash } from 'node:crypto';

export const sha256 = (data: Uint8Array | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export class OciClient {
  readonly base: string;
  readonly auth: string | undefined;
  constructor(base: string, auth?: string) {
    this.base = base;
    this.auth = auth;
  }

  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.auth && !headers.has('authorization')) headers.set('authorization', this.auth);
    return fetch(path.startsWith('http') ? path : `${this.base}${path}`, { ...init, headers, redirect: 'manual' });
  }

  /** Monolithic upload in one POST. Returns the digest. */
  async pushBlob(repo: string, data: Uint8Array | string): Promise<string> {
    const digest = sha256(data);
    const res = await this.fetch(`/v2/${repo}/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      body: typeof data === 'string' ? data : Buffer.from(data),
      headers: { 'content-type': 'application/octet-stream' },
    });
    if (res.status !== 201) throw new Error(`blob push ${repo}: ${res.status} ${await res.text()}`);
    return digest;
  }

  async pushManifest(repo: string, reference: string, manifest: unknown, mediaType = 'application/vnd.oci.image.manifest.v1+json'): Promise<Response> {
    return this.fetch(`/v2/${repo}/manifests/${reference}`, {
      method: 'PUT',
      body: typeof manifest === 'string' ? manifest : JSON.stringify(manifest),
      headers: { 'content-type': mediaType },
    });
  }

  /** Pushes a config and one layer and an image manifest; returns its digest and body. */
  async pushImage(repo: string, tag: string, layer = `layer of ${repo}:${tag}`, extra: Record<string, unknown> = {}): Promise<{ digest: string; body: string; size: number }> {
    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
    const configDigest = await this.pushBlob(repo, config);
    const layerDigest = await this.pushBlob(repo, layer);
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: Buffer.byteLength(config) },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: Buffer.byteLength(layer) }],
      ...extra,
    };
    const body = JSON.stringify(manifest);
    const res = await this.pushManifest(repo, tag, body);
    if (res.status !== 201) throw new Error(`manifest push ${repo}:${tag}: ${res.status} ${await res.text()}`);
    return { digest: sha256(body), body, size: Buffer.byteLength(body) };
  }
}

export async function errorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { errors?: { code: string }[] };
  return body.errors?.[0]?.code;
}

/** Sends a request with the path exactly as given (fetch would normalise `..` and `%2e%2e`). */
export async function rawRequest(base: string, method: string, rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { request } = await import('node:http');
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: rawPath, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
