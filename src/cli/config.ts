/**
 * The client's configuration file: `{ server, username, token }`, where the
 * token is a personal API token (`berth_pat_<id>_<secret>`) and never a
 * password. The file lives at BERTH_CLI_CONFIG, else
 * $XDG_CONFIG_HOME/berth/config.json, else ~/.config/berth/config.json, and
 * is written with mode 0600 (its directory 0700).
 *
 * BERTH_SERVER and BERTH_TOKEN override the file (for CI); `--server`
 * overrides both. A token from the file is only sent to the server it was
 * created on.
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CliError, UsageError } from './errors.ts';

export interface ConfigFile {
  server?: string;
  username?: string;
  token?: string;
}

/** What a command runs with, after flags, environment and file. */
export interface Settings {
  file: string;
  stored: ConfigFile;
  /** Undefined when no flag, variable or file names one. */
  server: string | undefined;
  /** The credentials to send, if any, and where they came from. */
  token: string | undefined;
  tokenSource: 'env' | 'file' | undefined;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BERTH_CLI_CONFIG) return env.BERTH_CLI_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'berth', 'config.json');
}

export async function readConfig(file: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not valid JSON: fix or remove it, then run berth login`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new CliError(`${file} is not a JSON object: fix or remove it, then run berth login`);
  const out: ConfigFile = {};
  const d = data as Record<string, unknown>;
  for (const key of ['server', 'username', 'token'] as const) {
    if (typeof d[key] === 'string') out[key] = d[key];
  }
  return out;
}

/** Writes atomically with mode 0600; removes the file when nothing is left. */
export async function writeConfig(file: string, config: ConfigFile): Promise<void> {
  const clean: ConfigFile = {};
  if (config.server) clean.server = config.server;
  if (config.username) clean.username = config.username;
  if (config.token) clean.token = config.token;
  if (Object.keys(clean).length === 0) {
    await rm(file, { force: true });
    return;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(clean, null, 2)}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new CliError(`cannot write ${file}: ${(err as Error).message}`);
  }
}

/** `registry.example.com` → `https://registry.example.com`; no trailing slash. */
export function normalizeServer(raw: string): string {
  let s = raw.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `https://${s}`;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new UsageError(`invalid server URL ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`the server URL must be http:// or https://, not ${JSON.stringify(raw)}`);
  if (url.search || url.hash || url.username || url.password) throw new UsageError(`give the server as scheme://host[:port][/path], not ${JSON.stringify(raw)}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export async function loadSettings(flagServer: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Settings> {
  const file = configPath(env);
  const stored = await readConfig(file);
  const rawServer = flagServer ?? (env.BERTH_SERVER || undefined) ?? stored.server;
  const server = rawServer === undefined ? undefined : normalizeServer(rawServer);
  let token: string | undefined;
  let tokenSource: Settings['tokenSource'];
  if (env.BERTH_TOKEN) {
    token = env.BERTH_TOKEN;
    tokenSource = 'env';
  } else if (stored.token && stored.server && server === normalizeServer(stored.server)) {
    token = stored.token;
    tokenSource = 'file';
  }
  return { file, stored, server, token, tokenSource };
}

const TOKEN = /^berth_pat_([0-9a-f]+)_/;

/** The id embedded in a personal API token, or undefined. */
export function tokenId(token: string): string | undefined {
  return TOKEN.exec(token)?.[1];
}
