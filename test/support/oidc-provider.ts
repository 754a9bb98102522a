/**
 * A real OpenID provider for tests (the `oidc-provider` package) on a free
 * loopback port, and a small browser: a cookie jar, manual redirects and
 * form submission, so tests drive sign-in exactly as a browser would.
 *
 * `hooks` change the provider's behaviour between requests: the ID token
 * lifetime, a delay before the token endpoint answers (a slow provider), and
 * a one-shot replacement of the ID token in the next token response (a
 * token of another client, signed by the same provider keys).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { exportJWK, generateKeyPair } from 'jose';

export interface TestAccount {
  /** Sign-in name at the provider (also `sub`). */
  login: string;
  claims: Record<string, unknown>;
}

export interface TestClient {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post' | 'none';
}

export interface ProviderHooks {
  /** ID token lifetime in seconds. */
  idTokenTtlSeconds: number;
  /** Delay before the token endpoint's response leaves, after the tokens were minted. */
  tokenDelayMs: number;
  /** Replaces the id_token of the next successful token response (one shot). */
  replaceNextIdToken: string | undefined;
}

export interface TestOidcProvider {
  issuer: string;
  hooks: ProviderHooks;
  stop(): Promise<void>;
}

interface KoaContext {
  path: string;
  method: string;
  status: number;
  body: unknown;
}
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void;
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

// The package ships no type declarations: loaded through a non-literal specifier and typed here.
const PACKAGE = 'oidc-provider';

export async function startOidcProvider(options: { clients: TestClient[]; accounts: TestAccount[] }): Promise<TestOidcProvider> {
  const { default: Provider } = (await import(PACKAGE)) as { default: ProviderClass };
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  const accounts = new Map(options.accounts.map((a) => [a.login, a]));
  const hooks: ProviderHooks = { idTokenTtlSeconds: 300, tokenDelayMs: 0, replaceNextIdToken: undefined };

  const provider = new Provider(issuer, {
    clients: options.clients.map((c) => ({ grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', ...c })),
    jwks: { keys: [jwk] },
    cookies: { keys: ['berth-test-cookie-key'] },
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email', 'email_verified'], groups: ['groups'] },
    // PKCE for every client, confidential ones included.
    pkce: { required: () => true },
    findAccount: (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      return account && { accountId: sub, claims: () => ({ sub, ...account.claims }) };
    },
    ttl: {
      IdToken: () => hooks.idTokenTtlSeconds,
      AccessToken: 600,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    features: { devInteractions: { enabled: true } },
    renderError: (ctx: KoaContext, out: Record<string, string>) => {
      ctx.body = `error: ${out.error ?? ''} ${out.error_description ?? ''}`;
    },
  });
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== '/token' || ctx.status !== 200) return;
    const body = ctx.body as { id_token?: string };
    if (hooks.replaceNextIdToken && body.id_token) {
      body.id_token = hooks.replaceNextIdToken;
      hooks.replaceNextIdToken = undefined;
    }
    if (hooks.tokenDelayMs > 0) await sleep(hooks.tokenDelayMs);
  });
  server.on('request', provider.callback());

  return {
    issuer,
    hooks,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Cookie {
  name: string;
  value: string;
  host: string;
  path: string;
  attributes: string[];
}

/**
 * A browser in miniature: cookies per host (ports share cookies, as in
 * browsers), redirects followed by hand, HTML forms submitted.
 */
export class Browser {
  readonly cookies: Cookie[] = [];

  /** One request, no redirect following; stores the cookies it sets. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const u = new URL(url);
    const headers = new Headers(init.headers);
    const jar = this.cookieHeader(u);
    if (jar) headers.set('cookie', jar);
    if (!headers.has('accept')) headers.set('accept', 'text/html,application/json;q=0.9');
    const res = await fetch(u, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) this.store(u, line);
    return res;
  }

  cookieHeader(u: URL): string {
    return this.cookies
      .filter((c) => c.host === u.hostname && (u.pathname === c.path || u.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  get(name: string, host = '127.0.0.1'): Cookie | undefined {
    return this.cookies.find((c) => c.name === name && c.host === host);
  }

  store(u: URL, line: string): void {
    const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const attr = (key: string) => attrs.find((a) => a.toLowerCase().startsWith(`${key.toLowerCase()}=`))?.split('=')[1];
    const path = attr('path') ?? (u.pathname.slice(0, u.pathname.lastIndexOf('/')) || '/');
    const at = this.cookies.findIndex((c) => c.name === name && c.host === u.hostname && c.path === path);
    if (at >= 0) this.cookies.splice(at, 1);
    const maxAge = attr('max-age');
    const expires = attr('expires');
    const gone = value === '' || (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) < Date.now() - 86_400_000);
    if (!gone) this.cookies.push({ name, value, host: u.hostname, path, attributes: attrs });
  }

  /**
   * Follows redirects from `url`, signing in at the provider's login form with
   * `login` and accepting its consent form, until the next URL starts with
   * `stopAt` (not requested: returned) or a page is not a redirect or a form.
   */
  async navigate(url: string, options: { stopAt: string; login?: string; password?: string; abort?: boolean }): Promise<{ url: string; response?: Response }> {
    let next = url;
    for (let hop = 0; hop < 30; hop++) {
      if (next.startsWith(options.stopAt)) return { url: next };
      const res = await this.fetch(next);
      if (res.status >= 300 && res.status < 400) {
        next = new URL(res.headers.get('location')!, next).toString();
        continue;
      }
      const html = res.headers.get('content-type')?.includes('text/html') ? await res.text() : '';
      const form = parseForm(html);
      if (!form || res.status !== 200) return { url: next, response: new Response(html || null, { status: res.status, headers: res.headers }) };
      if (options.abort) {
        next = new URL(`${new URL(form.action).pathname}/abort`, next).toString();
        continue;
      }
      const fields = new URLSearchParams(form.fields);
      if (fields.get('prompt') === 'login') {
        fields.set('login', options.login ?? '');
        fields.set('password', options.password ?? 'password');
      }
      const post = await this.fetch(new URL(form.action, next).toString(), { method: 'POST', body: fields, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      if (post.status < 300 || post.status >= 400) return { url: form.action, response: post };
      next = new URL(post.headers.get('location')!, form.action).toString();
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

/** The first POST form of a page: its action and hidden/text inputs with values. */
function parseForm(html: string): { action: string; fields: Record<string, string> } | undefined {
  const form = /<form[^>]*action="([^"]+)"[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input\b([^>]*)>/gi)) {
    const name = /\bname="([^"]*)"/.exec(input[1]!)?.[1];
    const value = /\bvalue="([^"]*)"/.exec(input[1]!)?.[1] ?? '';
    if (name) fields[name] = decodeEntities(value);
  }
  return { action: decodeEntities(form[1]!), fields };
}

function decodeEntities(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39|#x2F|#47);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x2F': '/', '#47': '/' })[e] ?? _m);
}
