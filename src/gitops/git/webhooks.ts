/**
 * Git webhooks from GitHub, GitLab and Gitea (also Forgejo and Gogs-style
 * senders that use Gitea's headers): authenticate the delivery, then say
 * which repository changed and which branches and tags were pushed, so the
 * delivery engine refreshes the applications that use them.
 *
 * Authentication is required: a provider without a configured secret is
 * refused (403), a delivery without a valid signature or token is refused
 * (401). Signatures are HMAC-SHA256 over the raw body, compared in constant
 * time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../core/errors.ts';

export type WebhookProvider = 'github' | 'gitlab' | 'gitea';

export interface ParsedWebhook {
  provider: WebhookProvider;
  /** The provider's event name: `push`, `ping`, `Push Hook`, `Tag Push Hook` … */
  event: string;
  /** Every URL the payload gives for the repository (web, https clone, ssh clone). */
  repoUrls: string[];
  /** Branch names pushed (without refs/heads/). */
  branches: string[];
  /** Tag names pushed (without refs/tags/). */
  tags: string[];
  /**
   * Files the pushed commits added, modified or removed, when the payload lists
   * them (GitHub, GitLab and Gitea push events do); undefined when it does not
   * (then any path may have changed).
   */
  paths?: string[];
}

/** A refused webhook delivery; `status` is the HTTP status the sender gets. */
export class WebhookError extends DomainError {
  override readonly name = 'WebhookError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(status === 401 ? 'unauthenticated' : status === 403 ? 'forbidden' : 'invalid', message);
    this.status = status;
  }
}

/** Largest payload accepted (GitHub caps deliveries at 25 MB). */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/** The configuration setting that holds each provider's secret, for messages. */
export const WEBHOOK_SECRET_SETTINGS: Record<WebhookProvider, string> = {
  github: 'gitWebhookSecretGithub (BERTH_GIT_WEBHOOK_SECRET_GITHUB)',
  gitlab: 'gitWebhookSecretGitlab (BERTH_GIT_WEBHOOK_SECRET_GITLAB)',
  gitea: 'gitWebhookSecretGitea (BERTH_GIT_WEBHOOK_SECRET_GITEA)',
};

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** Constant-time equality of two strings of any length. */
function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** Constant-time check of a hex HMAC-SHA256 signature over body. */
function validHmac(secret: string, body: Buffer, givenHex: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(givenHex)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(givenHex, 'hex'));
}

function detectProvider(headers: Headers): { provider: WebhookProvider; event: string } {
  // Gitea and Forgejo also send X-GitHub-Event / X-Gogs-Event: check them first.
  const gitea = header(headers, 'x-gitea-event') ?? header(headers, 'x-forgejo-event');
  if (gitea !== undefined) return { provider: 'gitea', event: gitea };
  const gitlab = header(headers, 'x-gitlab-event');
  if (gitlab !== undefined) return { provider: 'gitlab', event: gitlab };
  const github = header(headers, 'x-github-event');
  if (github !== undefined) return { provider: 'github', event: github };
  throw new WebhookError(400, 'not a supported Git webhook: expected an X-GitHub-Event, X-Gitlab-Event or X-Gitea-Event header');
}

function authenticate(provider: WebhookProvider, headers: Headers, body: Buffer, secret: string | undefined): void {
  if (secret === undefined || secret === '') {
    throw new WebhookError(403, `${provider} webhooks are not enabled: set ${WEBHOOK_SECRET_SETTINGS[provider]} to the secret configured in the ${provider} webhook`);
  }
  if (provider === 'github') {
    const sig = header(headers, 'x-hub-signature-256');
    if (sig === undefined) throw new WebhookError(401, 'GitHub webhook without an X-Hub-Signature-256 header: configure the webhook secret in GitHub');
    const m = /^sha256=(.*)$/.exec(sig.trim());
    if (!m || !validHmac(secret, body, m[1]!)) throw new WebhookError(401, 'GitHub webhook signature (X-Hub-Signature-256) does not match the configured secret');
  } else if (provider === 'gitea') {
    const sig = header(headers, 'x-gitea-signature') ?? header(headers, 'x-forgejo-signature');
    if (sig === undefined) throw new WebhookError(401, 'Gitea webhook without an X-Gitea-Signature header: configure the webhook secret in Gitea');
    if (!validHmac(secret, body, sig.trim())) throw new WebhookError(401, 'Gitea webhook signature (X-Gitea-Signature) does not match the configured secret');
  } else {
    const token = header(headers, 'x-gitlab-token');
    if (token === undefined) throw new WebhookError(401, 'GitLab webhook without an X-Gitlab-Token header: configure the secret token in GitLab');
    if (!sameSecret(token, secret)) throw new WebhookError(401, 'GitLab webhook token (X-Gitlab-Token) does not match the configured secret');
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= 2048 ? v : undefined);
const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * Authenticates a webhook delivery and extracts what changed. `body` must be
 * the raw request body (signatures are over its exact bytes). Throws
 * WebhookError: 400 (not a Git webhook, bad JSON), 401 (missing or wrong
 * signature/token), 403 (no secret configured for the provider), 413.
 */
export function parseGitWebhook(headers: Headers, body: Buffer, secrets: { github?: string; gitlab?: string; gitea?: string }): ParsedWebhook {
  const { provider, event } = detectProvider(headers);
  if (body.length > MAX_WEBHOOK_BYTES) throw new WebhookError(413, `webhook payload larger than ${MAX_WEBHOOK_BYTES} bytes`);
  authenticate(provider, headers, body, secrets[provider]);

  let payload: Record<string, unknown>;
  try {
    payload = obj(JSON.parse(body.toString('utf8')));
  } catch {
    throw new WebhookError(400, `${provider} webhook body is not JSON (configure the webhook with content type application/json)`);
  }

  const urls: (string | undefined)[] = [];
  if (provider === 'gitlab') {
    const project = obj(payload.project);
    const repository = obj(payload.repository);
    urls.push(str(project.git_http_url), str(project.git_ssh_url), str(project.web_url), str(repository.git_http_url), str(repository.git_ssh_url), str(repository.homepage));
  } else {
    const repository = obj(payload.repository);
    urls.push(str(repository.html_url), str(repository.clone_url), str(repository.ssh_url), str(repository.git_url));
  }
  const repoUrls = [...new Set(urls.filter((u): u is string => u !== undefined))];

  const branches: string[] = [];
  const tags: string[] = [];
  const ref = str(payload.ref);
  const refType = str(payload.ref_type);
  if (ref !== undefined) {
    if (ref.startsWith('refs/heads/')) branches.push(ref.slice('refs/heads/'.length));
    else if (ref.startsWith('refs/tags/')) tags.push(ref.slice('refs/tags/'.length));
    // create/delete events name the ref without a prefix and say its type.
    else if (refType === 'branch') branches.push(ref);
    else if (refType === 'tag') tags.push(ref);
  }
  let paths: string[] | undefined;
  if (Array.isArray(payload.commits)) {
    const changed = new Set<string>();
    for (const c of payload.commits as unknown[]) {
      const commit = obj(c);
      for (const field of ['added', 'modified', 'removed'] as const) {
        const list = commit[field];
        if (Array.isArray(list)) for (const f of list) if (typeof f === 'string' && f.length <= 4096) changed.add(f);
      }
    }
    // Providers cap the commits they list (GitHub: 20); an empty list says nothing.
    if (changed.size > 0) paths = [...changed];
  }
  return { provider, event, repoUrls, branches, tags, ...(paths ? { paths } : {}) };
}
