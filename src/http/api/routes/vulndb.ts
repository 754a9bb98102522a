/**
 * /api/v1/vulndb: vulnerability data sources and imports (system
 * administrators). An import takes the file as the raw request body
 * (`Content-Type: application/octet-stream` or `application/zip`, streamed
 * to a temporary file with a byte bound) or a JSON body `{url, format?,
 * source?}` naming a file to download. Imports and removals are audited in
 * their transaction and enqueue the `vulnerabilities.rematch` job there.
 */
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { download, toTempFile, TooLargeError, type TempFile } from '../../../supply-chain/vulndb/download.ts';
import { IMPORT_FORMATS, type ImportFormat } from '../../../supply-chain/vulndb/records.ts';
import type { VulnDb } from '../../../supply-chain/vulndb/store.ts';
import { API_PREFIX, type ApiRouter } from '../router.ts';

export const VULNDB_IMPORT_PATH = '/vulndb/imports';
/** Media types taken as the file itself. */
export const RAW_IMPORT_TYPES = ['application/octet-stream', 'application/zip'];

const formats = IMPORT_FORMATS as unknown as [ImportFormat, ...ImportFormat[]];
const sourceName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'letters, digits and ._:- (up to 128, starting with a letter or digit)')
  .describe('the source to import into; default: derived from the file (osv-<Ecosystem>, alpine-secdb-<release>-<repository>, debian-dsa, debian-dla, debian-tracker)');
const formatField = z.enum(formats).describe('the file format; sniffed from the content when absent');

const sourceSchema = z.object({
  name: z.string(),
  kind: z.enum(formats),
  version: z.string().nullable().describe("the data's own version: newest modified/published date (OSV), newest advisory date (DSA/DLA), release/repository (secdb)"),
  imported_at: z.number().int(),
  imported_by: z.string(),
  records: z.number().int(),
  ecosystems: z.array(z.string()).describe('OSV ecosystems the records name (Go, PyPI, Debian:11, Alpine:v3.10, …)'),
  duration_ms: z.number().int(),
  content_sha256: z.string(),
});

const importResult = z.object({
  source: z.string(),
  kind: z.enum(formats),
  version: z.string().nullable(),
  records: z.number().int(),
  added: z.number().int(),
  updated: z.number().int(),
  removed: z.number().int(),
  duration_ms: z.number().int(),
  rematch_job_id: z.string().nullable().describe('the vulnerabilities.rematch job enqueued with the import (null when nothing changed); follow it at /api/v1/jobs/{id}'),
});

export interface VulnDbRouteDeps {
  vulndb: VulnDb;
  /** The Fastify instance `api` registers on, for the raw-body content-type parser. */
  app: FastifyInstance;
  downloadTimeoutMs: number;
}

function tooLarge(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 413 });
}

export function vulndbRoutes(api: ApiRouter, deps: VulnDbRouteDeps): void {
  const { vulndb } = deps;
  const importUrl = `${API_PREFIX}${VULNDB_IMPORT_PATH}`;
  // The body of an import is the file: handed to the route as a stream. Other routes refuse these types as before.
  deps.app.addContentTypeParser(RAW_IMPORT_TYPES, (req, payload, done) => {
    if (req.method === 'POST' && req.url.split('?', 1)[0] === importUrl) done(null, payload);
    else done(Object.assign(new Error(`Unsupported Media Type: ${req.headers['content-type'] ?? ''}`), { statusCode: 415 }), undefined);
  });

  // One import at a time in a process: imports are long transactions over the same tables.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(f: () => Promise<T>): Promise<T> => {
    const run = queue.then(f, f);
    queue = run.catch(() => undefined);
    return run;
  };

  api.route({
    method: 'GET',
    path: '/vulndb/sources',
    tag: 'vulndb',
    summary: 'List the imported vulnerability data sources: kind, version, record count, ecosystems, last import',
    auth: 'admin',
    response: z.array(sourceSchema),
    handler: () => vulndb.sources(),
  });

  api.route({
    method: 'GET',
    path: '/vulndb/sources/:name',
    tag: 'vulndb',
    summary: 'One vulnerability data source',
    auth: 'admin',
    params: z.object({ name: z.string().min(1).max(128) }),
    response: sourceSchema,
    handler: ({ params }) => vulndb.source(params.name),
  });

  api.route({
    method: 'POST',
    path: VULNDB_IMPORT_PATH,
    tag: 'vulndb',
    summary:
      'Import vulnerability data: the file as the body (application/octet-stream or application/zip; format and source in the query) or JSON {url, format?, source?} to download it. ' +
      'Formats: OSV all.zip of any ecosystem, Alpine secdb JSON, Debian tracker JSON, DSA and DLA lists. Replaces the source atomically and incrementally, then enqueues vulnerabilities.rematch',
    auth: 'admin',
    query: z.object({ format: formatField.optional(), source: sourceName.optional() }),
    body: z.strictObject({ url: z.url({ protocol: /^https?$/ }).max(2048).describe('http(s) URL of the file'), format: formatField.optional(), source: sourceName.optional() }),
    rawBody: RAW_IMPORT_TYPES,
    response: importResult,
    handler: async ({ query, body, req, audit }) => {
      const max = vulndb.limits.maxFileBytes;
      let file: TempFile;
      let options: { format?: ImportFormat | undefined; source?: string | undefined };
      try {
        if (body instanceof Readable) {
          const declared = Number(req.headers['content-length'] ?? NaN);
          if (declared > max) throw new TooLargeError(max);
          file = await toTempFile(body, max);
          options = { format: query.format, source: query.source };
        } else {
          file = await download(body.url, { maxBytes: max, timeoutMs: deps.downloadTimeoutMs });
          options = { format: body.format ?? query.format, source: body.source ?? query.source };
        }
      } catch (err) {
        if (err instanceof TooLargeError) throw tooLarge(err.message);
        throw err;
      }
      try {
        return await serialized(() => vulndb.importFile(file.file, options, audit));
      } finally {
        await file.remove();
      }
    },
  });

  api.route({
    method: 'DELETE',
    path: '/vulndb/sources/:name',
    tag: 'vulndb',
    summary: 'Remove a vulnerability data source and its advisories; enqueues vulnerabilities.rematch',
    auth: 'admin',
    params: z.object({ name: z.string().min(1).max(128) }),
    response: z.object({ rematch_job_id: z.string().nullable() }),
    handler: ({ params, audit }) => serialized(() => vulndb.remove(params.name, audit)),
  });
}
