/**
 * POST /api/v1/webhooks/git: push notifications from GitHub, GitLab and
 * Gitea. No Berth credentials: the delivery is authenticated by the
 * provider's signature or token over the exact request bytes
 * (src/gitops/git/webhooks.ts), so this route keeps the raw body. Every
 * application using a pushed repository is refreshed at once instead of at
 * the next poll.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest, preParsingAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { AccessError, type AccessErrorCode } from '../../../access/errors.ts';
import type { AccessServices } from '../../../access/services.ts';
import { normalizeRepoUrl } from '../../../gitops/git/urls.ts';
import { MAX_WEBHOOK_BYTES, WebhookError, parseGitWebhook } from '../../../gitops/git/webhooks.ts';
import type { DeliveryEngine } from '../../../gitops/types.ts';
import { API_PREFIX, type ApiRouter } from '../router.ts';

export interface WebhookSecrets {
  github?: string;
  gitlab?: string;
  gitea?: string;
}

export interface GitWebhookRouteDeps {
  engine: DeliveryEngine;
  /** The configured secrets (a function, so that a reload takes effect). */
  secrets: WebhookSecrets | (() => WebhookSecrets);
  /**
   * The Fastify instance `api` registers on, to keep this route's raw body
   * (an onRoute hook adds a preParsing step to it alone).
   */
  app: FastifyInstance;
}

export const GIT_WEBHOOK_PATH = '/webhooks/git';

const STATUS_CODES: Record<number, AccessErrorCode> = { 400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT' };

export function gitWebhookRoutes(api: ApiRouter, _access: AccessServices, deps: GitWebhookRouteDeps): void {
  const rawBodies = new WeakMap<FastifyRequest, Buffer>();
  const url = `${API_PREFIX}${GIT_WEBHOOK_PATH}`;

  const keepRawBody: preParsingAsyncHookHandler = async (req, _reply, payload) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of payload) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      size += b.length;
      if (size > MAX_WEBHOOK_BYTES) throw Object.assign(new Error(`webhook payload larger than ${MAX_WEBHOOK_BYTES} bytes`), { statusCode: 413 });
      chunks.push(b);
    }
    const raw = Buffer.concat(chunks);
    rawBodies.set(req, raw);
    const replay = Readable.from([raw]) as Readable & { receivedEncodedLength?: number };
    replay.receivedEncodedLength = raw.length;
    return replay;
  };
  deps.app.addHook('onRoute', (route) => {
    if (route.url !== url || route.method !== 'POST') return;
    route.bodyLimit = MAX_WEBHOOK_BYTES;
    const existing = route.preParsing === undefined ? [] : Array.isArray(route.preParsing) ? route.preParsing : [route.preParsing];
    route.preParsing = [...existing, keepRawBody];
  });

  api.route({
    method: 'POST',
    path: GIT_WEBHOOK_PATH,
    tag: 'webhooks',
    summary: 'Git push webhook (GitHub, GitLab, Gitea; content type application/json): authenticated by the provider signature or token; refreshes the applications using the repository',
    auth: 'none',
    response: z.object({ apps: z.number().int() }),
    handler: async ({ req }) => {
      const raw = rawBodies.get(req) ?? Buffer.alloc(0);
      const secrets = typeof deps.secrets === 'function' ? deps.secrets() : deps.secrets;
      let hook;
      try {
        hook = parseGitWebhook(req.headers, raw, secrets);
      } catch (err) {
        if (err instanceof WebhookError) throw new AccessError(STATUS_CODES[err.status] ?? 'BAD_REQUEST', err.message);
        throw err;
      }
      const refs = [...hook.branches, ...hook.tags];
      const seen = new Set<string>();
      let apps = 0;
      for (const repoUrl of hook.repoUrls) {
        const key = normalizeRepoUrl(repoUrl);
        if (seen.has(key)) continue;
        seen.add(key);
        apps += deps.engine.repositoryChanged(repoUrl, refs, hook.paths);
      }
      return { apps };
    },
  });
}
