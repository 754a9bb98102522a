/**
 * The OCI distribution API under /v2. Repository names contain slashes, so
 * one wildcard route receives every /v2 request and `matchRoute` splits the
 * raw path; HEAD is handled explicitly (fastify's implicit HEAD would run GET
 * and open blob streams for nothing).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../registry/registry.ts';
import { RegistryError } from '../oci/errors.ts';
import { MAX_MANIFEST_BYTES, MediaTypes } from '../oci/manifest.ts';
import { nextLink, parsePageRequest } from '../registry/pagination.ts';
import { parseContentRange, parseRangeHeader } from '../registry/range.ts';
import { parseDigest, type Digest } from '../oci/digest.ts';
import { assertRepositoryName } from '../oci/names.ts';
import { actorOf } from '../access/principal.ts';
import { projectOf } from '../access/projects.ts';
import type { AccessServices } from '../access/services.ts';
import type { Caller, RegistryGate } from './registry-auth.ts';
import { matchRoute, type V2Route } from './v2-paths.ts';

export interface RegistryRouteOptions {
  registry: Registry;
  gate: RegistryGate;
  access: AccessServices;
}

const API_VERSION = { 'docker-distribution-api-version': 'registry/2.0' };

export function registerRegistryRoutes(app: FastifyInstance, { registry, gate, access }: RegistryRouteOptions): void {
  /** Records a registry operation in the audit log (buffered: never blocks). */
  function audit(caller: Caller, resourceType: string, resource: string, action: string): void {
    access.audit.record({ actor: actorOf(caller.principal), sourceIp: caller.ip, resourceType, resource, action, outcome: 'success' });
  }

  /** The first push into a missing project creates it, for administrators only. */
  async function ensureProject(name: string, caller: Caller): Promise<void> {
    if (caller.principal.admin) await access.projects.ensure(projectOf(name), caller.principal.name, { actor: actorOf(caller.principal), sourceIp: caller.ip });
  }

  app.register((scope, _opts, done) => {
    // Bodies are streamed by the handlers themselves.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, next) => next(null));

    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      reply.headers(API_VERSION);
      const path = req.url.split('?', 1)[0]!;
      const route = matchRoute(path);
      req.routeLabel = route.kind;
      // Before authentication, so even the challenge never echoes a bad name.
      if ('name' in route) assertRepositoryName(route.name);
      const caller = await gate.identify(req);
      return dispatch(route, req, reply, caller);
    };

    async function dispatch(route: V2Route, req: FastifyRequest, reply: FastifyReply, caller: Caller): Promise<unknown> {
      const method = req.method;
      const query = req.query as Record<string, string | undefined>;
      switch (route.kind) {
        case 'base':
          gate.requireAuthenticated(caller);
          return reply.code(200).type('application/json').send('{}');

        case 'catalog': {
          if (method !== 'GET') break;
          await gate.require(caller, [{ type: 'registry', name: 'catalog', action: '*' }]);
          const { names, includesPublic } = await access.authorizer.pullableProjects(caller.principal);
          const publicProjects = includesPublic && names !== 'all' ? await access.projects.publicNames() : new Set<string>();
          const visible = (repo: string) => names === 'all' || names.has(projectOf(repo)) || publicProjects.has(projectOf(repo));
          const page = await registry.catalog(parsePageRequest(query), visible);
          setLink(reply, nextLink('/v2/_catalog', page.items, page.limit, page.more));
          return reply.type('application/json').send(JSON.stringify({ repositories: page.items }));
        }

        case 'tags': {
          if (method !== 'GET') break;
          await gate.require(caller, [{ type: 'repository', name: route.name, action: 'pull' }]);
          const page = await registry.listTags(route.name, parsePageRequest(query));
          setLink(reply, nextLink(`/v2/${route.name}/tags/list`, page.items, page.limit, page.more));
          return reply.type('application/json').send(JSON.stringify({ name: route.name, tags: page.items }));
        }

        case 'manifest':
          return manifest(route.name, route.reference, req, reply, caller);

        case 'blob':
          return blob(route.name, route.digest, req, reply, caller);

        case 'upload-start':
          if (method !== 'POST') break;
          return startUpload(route.name, req, reply, caller);

        case 'upload':
          return upload(route.name, route.id, req, reply, caller);

        case 'referrers': {
          if (method !== 'GET') break;
          await gate.require(caller, [{ type: 'repository', name: route.name, action: 'pull' }]);
          const artifactType = query.artifactType || undefined;
          const index = await registry.referrers(route.name, route.digest, artifactType);
          if (index.filtered) reply.header('oci-filters-applied', 'artifactType');
          return reply.type(MediaTypes.ociIndex).send(index.body);
        }

        case 'unknown':
          throw new RegistryError('NAME_UNKNOWN', `no registry endpoint at ${route.path.slice(0, 200)}`);
      }
      throw new RegistryError('UNSUPPORTED', `${method} is not supported on this endpoint`);
    }

    async function manifest(name: string, reference: string, req: FastifyRequest, reply: FastifyReply, caller: Caller) {
      switch (req.method) {
        case 'GET':
        case 'HEAD': {
          await gate.require(caller, [{ type: 'repository', name, action: 'pull' }]);
          const m = await registry.getManifest(name, reference);
          reply.headers({
            'content-type': m.mediaType,
            'docker-content-digest': m.digest,
            etag: `"${m.digest}"`,
            'content-length': m.size,
          });
          if (req.method === 'HEAD') return reply.send();
          audit(caller, 'artifact', `${name}@${m.digest}`, 'pull');
          registry.notePull(name, reference, m.digest, caller.principal.name);
          return reply.send(Buffer.from(m.content.buffer, m.content.byteOffset, m.content.byteLength));
        }
        case 'PUT': {
          await gate.require(caller, [{ type: 'repository', name, action: 'push' }]);
          await ensureProject(name, caller);
          const body = await readLimited(req, MAX_MANIFEST_BYTES);
          req.bytesIn = body.byteLength;
          const contentType = req.headers['content-type']?.split(';', 1)[0]?.trim();
          const tagParam = (req.query as Record<string, string | string[] | undefined>).tag;
          const result = await registry.putManifest(name, reference, body, contentType, ([] as string[]).concat(tagParam ?? []), caller.principal.name);
          reply.headers({ location: `/v2/${name}/manifests/${result.digest}`, 'docker-content-digest': result.digest });
          if (result.subject) reply.header('oci-subject', result.subject);
          if (result.tags.length > 0) reply.header('oci-tag', result.tags);
          audit(caller, 'artifact', `${name}@${result.digest}`, 'push');
          for (const t of result.tags) audit(caller, 'tag', `${name}:${t}`, 'create');
          return reply.code(201).send();
        }
        case 'DELETE':
          await gate.require(caller, [{ type: 'repository', name, action: 'delete' }]);
          await registry.deleteManifest(name, reference, caller.principal.name);
          if (reference.includes(':')) audit(caller, 'artifact', `${name}@${reference}`, 'delete');
          else audit(caller, 'tag', `${name}:${reference}`, 'delete');
          return reply.code(202).send();
      }
      throw new RegistryError('UNSUPPORTED', `${req.method} is not supported on manifests`);
    }

    async function blob(name: string, digest: string, req: FastifyRequest, reply: FastifyReply, caller: Caller) {
      switch (req.method) {
        case 'GET':
        case 'HEAD': {
          await gate.require(caller, [{ type: 'repository', name, action: 'pull' }]);
          const b = await registry.blobSize(name, digest);
          const range = parseRangeHeader(req.headers.range, b.size);
          reply.headers({ 'docker-content-digest': b.digest.value, etag: `"${b.digest.value}"`, 'accept-ranges': 'bytes' });
          if (range === 'unsatisfiable') {
            reply.header('content-range', `bytes */${b.size}`);
            throw new RegistryError('RANGE_NOT_SATISFIABLE', `range ${req.headers.range} is outside the blob of ${b.size} bytes`);
          }
          const length = range ? range.end - range.start + 1 : b.size;
          reply.type('application/octet-stream').header('content-length', length);
          if (range) reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${b.size}`);
          if (req.method === 'HEAD' || length === 0) return reply.send();
          return sendBlob(reply, b.digest, range);
        }
        case 'DELETE':
          await gate.require(caller, [{ type: 'repository', name, action: 'delete' }]);
          await registry.deleteBlob(name, digest);
          audit(caller, 'blob', `${name}@${digest}`, 'delete');
          return reply.code(202).send();
      }
      throw new RegistryError('UNSUPPORTED', `${req.method} is not supported on blobs`);
    }

    /**
     * Streams a blob straight to the socket through reused buffers (see
     * BlobStorage.copyTo). Headers are final before the first byte; an error
     * after that can only cut the connection, as with any streamed body.
     */
    async function sendBlob(reply: FastifyReply, digest: Digest, range: { start: number; end: number } | undefined) {
      const res = reply.raw;
      reply.hijack();
      res.writeHead(reply.statusCode, reply.getHeaders() as Record<string, string | number | string[]>);
      try {
        await registry.copyBlob(digest, res, range);
        res.end();
      } catch (err) {
        reply.log.debug({ err: (err as Error).message, digest: digest.value }, 'blob transfer ended early');
        res.destroy();
      }
    }

    async function startUpload(name: string, req: FastifyRequest, reply: FastifyReply, caller: Caller) {
      await gate.require(caller, [{ type: 'repository', name, action: 'push' }]);
      await ensureProject(name, caller);
      const query = req.query as Record<string, string | undefined>;
      if (query.mount) {
        // Without pull on the source, fall back to an upload: never reveal
        // whether the blob exists there. With a bearer token, its granted
        // scope is the authority (as in CNCF Distribution): a token asked for
        // push on the target only does not mount, whatever the account could
        // pull; Basic-auth callers are asked of the authorizer. Without
        // `from` (OCI 1.1 anonymous mount) no token can name the source, so
        // any repository the account itself may pull from will do.
        const mayPull = query.from
          ? (repo: string) => gate.has(caller, { type: 'repository', name: repo, action: 'pull' })
          : (repo: string) => gate.hasLive(caller, { type: 'repository', name: repo, action: 'pull' });
        const mounted = await registry.mountBlob(name, query.mount, query.from, mayPull);
        if (mounted.mounted) {
          return reply
            .code(201)
            .headers({ location: `/v2/${name}/blobs/${mounted.digest.value}`, 'docker-content-digest': mounted.digest.value })
            .send();
        }
      }
      if (query.digest) {
        const digest = parseDigest(query.digest);
        const session = await registry.uploads.start(name);
        let size: number;
        try {
          size = await registry.uploads.complete(name, session.id, digest, req.raw);
        } catch (err) {
          // The client never learned this session's id, so nothing can resume
          // it (an aborted or refused monolithic upload): drop it now rather
          // than leave its bytes until the expiry sweep.
          await registry.uploads.cancel(name, session.id).catch(() => {});
          throw err;
        }
        req.bytesIn = size;
        return reply
          .code(201)
          .headers({ location: `/v2/${name}/blobs/${digest.value}`, 'docker-content-digest': digest.value })
          .send();
      }
      const session = await registry.uploads.start(name);
      return uploadStatus(reply.code(202), name, session.id, 0);
    }

    async function upload(name: string, id: string, req: FastifyRequest, reply: FastifyReply, caller: Caller) {
      const query = req.query as Record<string, string | undefined>;
      switch (req.method) {
        case 'GET': {
          await gate.require(caller, [{ type: 'repository', name, action: 'pull' }]);
          const s = await registry.uploads.status(name, id);
          return uploadStatus(reply.code(204), name, id, s.size);
        }
        case 'PATCH': {
          await gate.require(caller, [{ type: 'repository', name, action: 'push' }]);
          const range = chunkRange(req);
          return withUploadHeaders(reply, name, id, async () => {
            const s = await registry.uploads.append(name, id, req.raw, range);
            req.bytesIn = s.size - (range?.start ?? 0);
            return uploadStatus(reply.code(202), name, id, s.size);
          });
        }
        case 'PUT': {
          await gate.require(caller, [{ type: 'repository', name, action: 'push' }]);
          if (!query.digest) throw new RegistryError('DIGEST_INVALID', 'the digest query parameter is required to complete an upload');
          const digest = parseDigest(query.digest);
          const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
          const range = chunkRange(req);
          return withUploadHeaders(reply, name, id, async () => {
            await registry.uploads.complete(name, id, digest, hasBody ? req.raw : undefined, range);
            return reply
              .code(201)
              .headers({ location: `/v2/${name}/blobs/${digest.value}`, 'docker-content-digest': digest.value })
              .send();
          });
        }
        case 'DELETE':
          await gate.require(caller, [{ type: 'repository', name, action: 'push' }]);
          await registry.uploads.cancel(name, id);
          return reply.code(204).send();
      }
      throw new RegistryError('UNSUPPORTED', `${req.method} is not supported on upload sessions`);
    }

    scope.route({ method: ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE'], url: '/v2', handler });
    scope.route({ method: ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE'], url: '/v2/*', handler });
    done();
  });
}

/** The chunk's Content-Range, if any; a malformed one is refused. */
function chunkRange(req: FastifyRequest): { start: number; end: number } | undefined {
  const header = req.headers['content-range'];
  if (header === undefined) return undefined;
  const range = parseContentRange(header);
  if (!range) throw new RegistryError('UPLOAD_RANGE_INVALID', `invalid Content-Range ${JSON.stringify(header.slice(0, 100))}`);
  return range;
}

/** Adds Location and Range to a failed chunk's response so the client can resume. */
async function withUploadHeaders<T>(reply: FastifyReply, name: string, id: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const size = err instanceof RegistryError ? (err.detail as { size?: unknown } | undefined)?.size : undefined;
    if (typeof size === 'number') setUploadHeaders(reply, name, id, size);
    throw err;
  }
}

function setUploadHeaders(reply: FastifyReply, name: string, id: string, size: number): void {
  reply.headers({
    location: `/v2/${name}/blobs/uploads/${id}`,
    range: `0-${Math.max(0, size - 1)}`,
    'docker-upload-uuid': id,
  });
}

function uploadStatus(reply: FastifyReply, name: string, id: string, size: number) {
  setUploadHeaders(reply, name, id, size);
  return reply.header('content-length', 0).send();
}

function setLink(reply: FastifyReply, link: string | undefined): void {
  if (link) reply.header('link', link);
}

/** Reads a request body into memory, refusing more than `limit` bytes. */
async function readLimited(req: FastifyRequest, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new RegistryError('MANIFEST_TOO_LARGE', `manifest is larger than ${limit} bytes`);
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of req.raw) {
    total += (chunk as Buffer).length;
    if (total > limit) {
      req.raw.destroy();
      throw new RegistryError('MANIFEST_TOO_LARGE', `manifest is larger than ${limit} bytes`);
    }
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts, total);
}
