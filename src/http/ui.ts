/**
 * Serves the web UI (the Vite build in web/dist, docs/ui.md) at `/`.
 *
 * - Hashed files under /assets/ are immutable (a year's cache); index.html is `no-cache` so a
 *   new build is picked up at once.
 * - Any other GET that is not a server path answers index.html (the SPA's router decides);
 *   server paths (/v2, /api, /auth, /metrics, …) keep their JSON 404s.
 * - Every UI response carries a strict Content-Security-Policy: scripts, fonts, images and
 *   connections from this origin only. style-src also allows 'unsafe-inline' because Mantine
 *   injects <style> elements at run time (its CSS variables, and the scroll lock of modals);
 *   scripts stay 'self' only, so injected markup cannot run code.
 * - Without a build, `/` answers a short HTML page saying how to make one.
 *
 * The directory is read per request (files are small, the OS caches them), so a rebuild
 * needs no restart.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const DEFAULT_WEB_DIR = path.join(import.meta.dirname, '..', '..', 'web', 'dist');

/** Path prefixes owned by the server: never answered with the SPA. */
const SERVER_PREFIXES = ['/v2', '/api', '/auth', '/token', '/metrics', '/healthz', '/readyz'];

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export function isServerPath(urlPath: string): boolean {
  return SERVER_PREFIXES.some((p) => urlPath === p || urlPath.startsWith(`${p}/`));
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin');
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Berth: web UI not built</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The web UI is not built</h1>
<p>This Berth serves its API at <code>/api/v1</code> and the registry at <code>/v2</code>, but the web UI has not been built.</p>
<p>Build it in the Berth directory with <code>npm run web:build</code> (<code>npm start</code> does it when needed), or point <code>BERTH_WEB_DIR</code> at a build. See docs/ui.md.</p>
</body></html>
`;

/** Resolves a URL path to a file inside dir, or undefined (outside, hidden, or not a file). */
async function fileFor(dir: string, urlPath: string): Promise<{ file: string; size: number } | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.split('/').some((seg) => seg.startsWith('.'))) return undefined;
  const file = path.join(dir, decoded);
  if (file !== dir && !file.startsWith(dir + path.sep)) return undefined;
  const st = await stat(file).catch(() => undefined);
  return st?.isFile() ? { file, size: st.size } : undefined;
}

export function registerUi(app: FastifyInstance, options: { dir?: string | undefined } = {}): void {
  const dir = path.resolve(options.dir ?? DEFAULT_WEB_DIR);

  const sendIndex = async (req: FastifyRequest, reply: FastifyReply) => {
    securityHeaders(reply).header('cache-control', 'no-cache');
    const html = await readFile(path.join(dir, 'index.html'), 'utf8').catch(() => undefined);
    if (html === undefined) return reply.code(503).type('text/html; charset=utf-8').send(req.method === 'HEAD' ? undefined : NOT_BUILT);
    return reply.type('text/html; charset=utf-8').send(req.method === 'HEAD' ? undefined : html);
  };

  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    handler: async (req, reply) => {
      const urlPath = req.url.split('?', 1)[0]!;
      if (isServerPath(urlPath)) return reply.callNotFound();
      req.routeLabel = 'ui';
      if (urlPath === '/' || urlPath === '/index.html') return sendIndex(req, reply);
      const found = await fileFor(dir, urlPath);
      if (found) {
        const type = TYPES[path.extname(found.file).toLowerCase()] ?? 'application/octet-stream';
        securityHeaders(reply)
          .type(type)
          .header('content-length', found.size)
          .header('cache-control', urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
        return reply.send(req.method === 'HEAD' ? undefined : createReadStream(found.file));
      }
      // A missing hashed asset is a 404, not the SPA (a stale page must not get HTML as script).
      // Other paths may contain dots (tags such as 1.25), so they fall back to the SPA.
      if (urlPath.startsWith('/assets/')) {
        return securityHeaders(reply).code(404).type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send('not found\n');
      }
      return sendIndex(req, reply);
    },
  });
}
