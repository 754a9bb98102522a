/**
 * berth login | logout | whoami. Logging in trades the password (once) for
 * a personal API token, which is all the config file keeps.
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, Client, seg } from '../client.ts';
import { normalizeServer, tokenId, writeConfig } from '../config.ts';
import { type CommandSpec, type Ctx, CliError, UsageError, bool, int, str } from '../framework.ts';
import { orDash, yesNo } from '../output.ts';
import { interactive, passwordFromStdin, promptHidden, promptLine } from '../prompt.ts';
import type { ApiToken, User } from './common.ts';

const OIDC_POLL_MS = 2_000;

function tokenName(): string {
  return `berth-cli@${os.hostname()}`.slice(0, 255);
}

/** Revokes a token we are replacing or dropping; failures only matter to the caller. */
async function revoke(server: string, token: string): Promise<void> {
  const id = tokenId(token);
  if (!id) throw new CliError('the stored token is not a personal API token');
  await Client.bearer(server, token).delete(`/users/me/tokens/${seg(id)}`);
}

async function saveLogin(ctx: Ctx, server: string, username: string, token: string): Promise<void> {
  const { stored, file } = ctx.settings;
  // A previous token for the same server is replaced: revoke it rather than leave it valid.
  if (stored.token && stored.token !== token && stored.server && normalizeServer(stored.server) === server) {
    await revoke(server, stored.token).catch(() => undefined);
  }
  await writeConfig(file, { server, username, token });
}

const login: CommandSpec = {
  words: ['login'],
  args: '[--server URL] [--username USER] [--password-stdin | --oidc]',
  summary: 'Sign in and store a personal API token',
  details: [
    'The password is sent once to create a personal API token (POST /api/v1/users/me/tokens);',
    'only the server, the user name and the token are stored, in BERTH_CLI_CONFIG or',
    '$XDG_CONFIG_HOME/berth/config.json (mode 0600). A token stored earlier for the same',
    'server is revoked. With --oidc, sign in through the identity provider in a browser.',
  ].join('\n'),
  options: {
    username: { type: 'string', short: 'u', value: 'USER', help: 'user name (prompted for on a terminal)' },
    'password-stdin': { type: 'boolean', help: 'read the password from stdin' },
    oidc: { type: 'boolean', help: 'sign in with the OIDC provider in a browser' },
    'expires-in': { type: 'string', value: 'DAYS', help: 'let the token expire after DAYS days (default: never)' },
  },
  positionals: [0, 0],
  examples: ['berth login --server https://registry.example.com --username alice', "echo \"$PASSWORD\" | berth login --server https://registry.example.com -u ci --password-stdin", 'berth login --server https://registry.example.com --oidc'],
  async run(ctx) {
    const { settings, values } = ctx;
    const rawServer = str(values, 'server') ?? (process.env.BERTH_SERVER || undefined) ?? settings.stored.server;
    if (!rawServer) throw new UsageError('give the server: berth login --server URL', ctx.spec);
    const server = normalizeServer(rawServer);
    const expiresIn = int(ctx, 'expires-in', 1, 36_500);
    if (bool(values, 'oidc')) {
      if (str(values, 'username') !== undefined || bool(values, 'password-stdin') || expiresIn !== undefined) {
        throw new UsageError('--oidc takes no --username, --password-stdin or --expires-in (the server sets the lifetime of the token)', ctx.spec);
      }
      return oidcLogin(ctx, server);
    }
    const sameServer = settings.stored.server !== undefined && normalizeServer(settings.stored.server) === server;
    const remembered = sameServer ? settings.stored.username : undefined;
    const fromStdin = bool(values, 'password-stdin') === true;
    let username = str(values, 'username');
    if (username === undefined) {
      if (!fromStdin && interactive()) username = await promptLine('Username', remembered);
      else username = remembered;
    }
    if (!username) throw new UsageError('give the user name with --username', ctx.spec);
    let password: string;
    if (fromStdin) password = await passwordFromStdin();
    else if (interactive()) password = await promptHidden('Password');
    else throw new UsageError('stdin is not a terminal: give the password with --password-stdin', ctx.spec);
    if (!password) throw new CliError('the password is empty');

    const created = await Client.basic(server, username, password).post<ApiToken & { secret: string }>('/users/me/tokens', {
      name: tokenName(),
      ...(expiresIn !== undefined ? { expiresInDays: expiresIn } : {}),
    });
    await saveLogin(ctx, server, username, created.data.secret);
    if (ctx.out.json) ctx.out.printJson({ server, username, tokenId: created.data.id, tokenName: created.data.name, expiresAt: created.data.expiresAt });
    else ctx.out.line(`Logged in to ${server} as ${username}.`);
    if (settings.tokenSource === 'env') ctx.out.warn('note: BERTH_TOKEN is set and takes precedence over the stored token');
  },
};

interface CliSession {
  id: string;
  url: string;
  secret: string;
  expiresAt: number | string;
}

interface CliSessionState {
  /** pending, complete, expired or denied. */
  status: string;
  username?: string;
  token?: string;
  message?: string;
}

async function oidcLogin(ctx: Ctx, server: string): Promise<void> {
  const client = new Client(server, undefined);
  const session = (await client.post<CliSession>('/auth/oidc/cli-sessions', {})).data;
  if (!session?.id || !session.url || !session.secret) throw new CliError(`${server} did not start a sign-in session`);
  const expiresAt = typeof session.expiresAt === 'number' ? session.expiresAt : Date.parse(session.expiresAt);
  ctx.out.note(`Open this URL in a browser to sign in:\n\n  ${session.url}\n\nWaiting for the sign-in to complete…`);
  const headers = { 'x-berth-cli-secret': session.secret };
  for (;;) {
    await sleep(OIDC_POLL_MS);
    let state: CliSessionState;
    try {
      state = (await client.request<CliSessionState>('GET', `/auth/oidc/cli-sessions/${seg(session.id)}`, { headers })).data;
    } catch (err) {
      // 404: the session expired, or was consumed or refused; nothing more will come.
      if (err instanceof ApiError && err.status === 404) throw new CliError(`the sign-in ended without a token (${err.message}): it expired or failed; run berth login --oidc again`);
      // The server may be briefly unreachable; the session's expiry bounds the wait.
      if (err instanceof ApiError || Number.isNaN(expiresAt) || Date.now() > expiresAt) throw err;
      continue;
    }
    if (state.status === 'complete') {
      if (!state.username || !state.token) throw new CliError('the server completed the sign-in without a token');
      await saveLogin(ctx, server, state.username, state.token);
      if (ctx.out.json) ctx.out.printJson({ server, username: state.username, tokenId: tokenId(state.token) ?? null });
      else ctx.out.line(`Logged in to ${server} as ${state.username}.`);
      return;
    }
    if (state.status === 'expired') throw new CliError('the sign-in expired before it was completed: run berth login --oidc again');
    if (state.status === 'denied') throw new CliError(`the sign-in was denied${state.message ? `: ${state.message}` : ''}`);
    if (!Number.isNaN(expiresAt) && Date.now() > expiresAt + OIDC_POLL_MS) throw new CliError('the sign-in expired before it was completed: run berth login --oidc again');
  }
}

const logout: CommandSpec = {
  words: ['logout'],
  args: '',
  summary: 'Revoke the stored token and forget it',
  details: 'The token is revoked on the server (DELETE /api/v1/users/me/tokens/ID), then removed from the config file.',
  positionals: [0, 0],
  examples: ['berth logout'],
  async run(ctx) {
    const { stored, file } = ctx.settings;
    if (str(ctx.values, 'server') !== undefined) throw new UsageError('logout acts on the stored login: it takes no --server', ctx.spec);
    if (!stored.token || !stored.server) {
      ctx.out.note('not logged in');
      if (ctx.settings.tokenSource === 'env') ctx.out.note('BERTH_TOKEN is set in the environment: unset it to stop using it');
      return;
    }
    const server = normalizeServer(stored.server);
    let failure: string | undefined;
    try {
      await revoke(server, stored.token);
    } catch (err) {
      // 401: the token had expired or was revoked already; nothing left to revoke.
      if (!(err instanceof ApiError && err.status === 401)) failure = err instanceof Error ? err.message : String(err);
    }
    await writeConfig(file, { server: stored.server, ...(stored.username ? { username: stored.username } : {}) });
    if (failure !== undefined) {
      throw new CliError(`removed the token from ${file}, but could not revoke it on ${server}: ${failure}\nberth: revoke it later with: berth token revoke ${tokenId(stored.token) ?? ''}`);
    }
    if (!ctx.out.json) ctx.out.line(`Logged out of ${server}.`);
  },
};

const whoami: CommandSpec = {
  words: ['whoami'],
  args: '',
  summary: 'Show the signed-in account',
  positionals: [0, 0],
  examples: ['berth whoami', 'berth whoami -o json'],
  async run(ctx) {
    const client = ctx.client();
    if (!client.authenticated) throw new CliError(`not logged in to ${client.server}: run berth login`);
    const me = (await client.get<User | { username: string; kind: 'robot' }>('/users/me')).data;
    if (ctx.out.json) return ctx.out.printJson(me);
    const pairs: [string, string][] = [
      ['server', client.server],
      ['username', me.username],
    ];
    if ('kind' in me) pairs.push(['kind', 'robot']);
    else {
      pairs.push(['admin', yesNo(me.admin)], ['source', me.source], ['email', orDash(me.email)]);
      if (me.groups.length > 0) pairs.push(['groups', me.groups.join(', ')]);
    }
    pairs.push(['credentials', ctx.settings.tokenSource === 'env' ? 'BERTH_TOKEN' : ctx.settings.file]);
    ctx.out.details(pairs);
  },
};

export const authCommands: CommandSpec[] = [login, logout, whoami];
