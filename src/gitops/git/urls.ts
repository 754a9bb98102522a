/**
 * Repository URLs: which forms Berth accepts (validateRepoUrl) and one
 * comparable form (normalizeRepoUrl), used to match applications to webhook
 * payloads and to name the cache directory of a repository.
 */
import { GitError, scrubUserinfo } from './errors.ts';

export type RepoUrlScheme = 'https' | 'http' | 'ssh' | 'file';

export interface ParsedRepoUrl {
  scheme: RepoUrlScheme;
  /** Lowercased host (with `:port` when not the default); '' for file URLs. */
  host: string;
  /** The user in ssh://user@host/… or user@host:…, if any. */
  user?: string;
  /** Path as written (never with a trailing slash), starting with '/'. */
  path: string;
  /** True for the scp-like form user@host:path. */
  scpLike: boolean;
}

const MAX_URL_LENGTH = 2048;
const DEFAULT_PORTS: Record<string, string> = { https: '443', http: '80', ssh: '22' };
// git treats `host:path` as scp-like when a colon comes before any slash.
const SCP_LIKE = /^(?:([^@/:[\]]+)@)?(\[[0-9A-Fa-f:.]+\]|[^@/:[\]]+):(?!\/\/)(.*)$/;

function invalid(url: string, why: string): GitError {
  const shown = scrubUserinfo(url.length > 200 ? `${url.slice(0, 200)}…` : url);
  return new GitError('invalid', shown, `repository URL ${JSON.stringify(shown)}: ${why}`);
}

/**
 * Checks that `url` is an https://, http://, ssh:// or scp-like
 * (`git@host:org/repo.git`) repository URL — or file:// when
 * `allowFileUrls` — that git will treat as such and nothing else (no
 * transport helpers such as `ext::`, no option-looking hosts, no local paths,
 * no passwords in the URL). Throws a GitError ('invalid') saying why not.
 */
export function validateRepoUrl(url: string, options: { allowFileUrls?: boolean } = {}): ParsedRepoUrl {
  if (typeof url !== 'string' || url.length === 0) throw invalid(String(url), 'is empty');
  if (url.length > MAX_URL_LENGTH) throw invalid(url, `is longer than ${MAX_URL_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(url)) throw invalid(url, 'must not contain whitespace or control characters');
  if (url.startsWith('-')) throw invalid(url, 'must not start with "-"');
  if (/^[A-Za-z0-9+.-]+::/.test(url)) throw invalid(url, 'git transport helpers (such as ext::) are not allowed; use https://, http://, ssh:// or user@host:path');

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    const scp = SCP_LIKE.exec(url);
    if (scp && !url.startsWith('/') && !url.startsWith('.')) {
      const [, user, rawHost = '', repoPath = ''] = scp;
      if (user !== undefined && (user.startsWith('-') || user.length === 0)) throw invalid(url, 'the user must not be empty or start with "-"');
      if (rawHost.startsWith('-') || rawHost.length === 0) throw invalid(url, 'the host must not be empty or start with "-"');
      if (repoPath.length === 0 || repoPath === '/') throw invalid(url, 'has no repository path after ":"');
      const path = `/${repoPath.replace(/^\/+/, '')}`.replace(/\/+$/, '');
      return { scheme: 'ssh', host: rawHost.toLowerCase(), ...(user !== undefined ? { user } : {}), path, scpLike: true };
    }
    throw invalid(url, 'is not a supported repository URL: use https://, http://, ssh:// or scp-like user@host:path');
  }

  let kind: RepoUrlScheme;
  if (scheme === 'https' || scheme === 'http' || scheme === 'ssh') kind = scheme;
  else if (scheme === 'git+ssh' || scheme === 'ssh+git') kind = 'ssh';
  else if (scheme === 'file') {
    if (!options.allowFileUrls) throw invalid(url, 'file:// repositories are not allowed on this server');
    kind = 'file';
  } else throw invalid(url, `the ${scheme}:// protocol is not supported: use https://, http://, ssh:// or scp-like user@host:path`);

  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(url, 'is not a valid URL');
  }
  if (parsed.password) throw invalid(url, 'must not contain a password: give the credentials as the repository username and password instead');
  if (parsed.search || parsed.hash || url.includes('?') || url.includes('#')) throw invalid(url, 'must not contain a query or fragment');
  const path = parsed.pathname.replace(/\/+$/, '');

  if (kind === 'file') {
    if (parsed.host !== '') throw invalid(url, 'file URLs must have no host (file:///absolute/path)');
    if (path.length === 0 || path.split('/').includes('..')) throw invalid(url, 'must name an absolute path without ".."');
    return { scheme: 'file', host: '', path, scpLike: false };
  }
  const hostname = parsed.hostname.toLowerCase();
  if (!hostname) throw invalid(url, 'has no host');
  if (hostname.startsWith('-')) throw invalid(url, 'the host must not start with "-"');
  const user = parsed.username ? decodeURIComponent(parsed.username) : undefined;
  if (user !== undefined && user.startsWith('-')) throw invalid(url, 'the user must not start with "-"');
  if (path.length === 0) throw invalid(url, 'has no repository path');
  const port = parsed.port && parsed.port !== DEFAULT_PORTS[kind] ? `:${parsed.port}` : '';
  return { scheme: kind, host: `${hostname}${port}`, ...(user !== undefined ? { user } : {}), path, scpLike: false };
}

function stripGitSuffix(path: string): string {
  let p = path.replace(/\/+$/, '');
  if (p.toLowerCase().endsWith('.git')) p = p.slice(0, -4).replace(/\/+$/, '');
  return p;
}

/**
 * The case-preserving canonical form: lowercase scheme and host, no
 * userinfo, no default port, no trailing "/" or ".git", scp-like as
 * ssh://host/path. Paths keep their case because many servers treat them
 * case-sensitively; the repository cache is keyed by this form.
 */
export function canonicalRepoUrl(url: string): string {
  let p: ParsedRepoUrl;
  try {
    p = validateRepoUrl(url, { allowFileUrls: true });
  } catch {
    return stripGitSuffix(scrubUserinfo(url.trim()));
  }
  if (p.scheme === 'file') return `file://${stripGitSuffix(p.path)}`;
  return `${p.scheme}://${p.host}${stripGitSuffix(p.path)}`;
}

/**
 * A comparable form of a repository URL, for matching applications to
 * webhook payloads: `https://GitHub.com/Org/Repo.git/`,
 * `https://user@github.com/org/repo` and `git@github.com:org/repo.git` →
 * `https://github.com/org/repo` (the last as `ssh://github.com/org/repo`).
 * Lowercased entirely (as Argo CD does: hosting services match paths
 * without regard to case). Never throws; an unparseable URL is returned
 * trimmed and lowercased.
 */
export function normalizeRepoUrl(url: string): string {
  return canonicalRepoUrl(url).toLowerCase();
}

/**
 * Whether two URLs name the same repository for webhook matching: equal
 * normalized forms, or the same host and path over different protocols
 * (a webhook lists https and ssh URLs; an app uses one of them).
 */
export function sameRepository(a: string, b: string): boolean {
  const na = normalizeRepoUrl(a);
  const nb = normalizeRepoUrl(b);
  if (na === nb) return true;
  const strip = (u: string) => u.replace(/^[a-z+]+:\/\//, '').replace(/:\d+(?=\/)/, '');
  return strip(na) === strip(nb);
}
