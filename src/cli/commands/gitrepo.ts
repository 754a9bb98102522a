/** berth gitrepo …: Git repositories with credentials (administrators). */
import { readFile } from 'node:fs/promises';
import type { RepositoryInfo } from '../../gitops/apps/repositories.ts';
import { type CommandSpec, CliError, UsageError, bool, str } from '../framework.ts';
import { type Column, time, yesNo } from '../output.ts';
import { passwordFromStdin } from '../prompt.ts';
import { showList } from './common.ts';

const COLUMNS: Column<RepositoryInfo>[] = [
  { header: 'URL', value: (r) => r.url },
  { header: 'TYPE', value: (r) => r.type },
  { header: 'USER', value: (r) => r.username ?? '-' },
  { header: 'PASSWORD', value: (r) => yesNo(r.hasPassword) },
  { header: 'SSH KEY', value: (r) => yesNo(r.hasSshPrivateKey) },
  { header: 'KNOWN HOSTS', value: (r) => (r.insecureIgnoreHostKey ? 'ignored' : yesNo(r.hasKnownHosts)) },
  { header: 'ADDED', value: (r) => `${time(r.createdAt)} by ${r.createdBy}` },
];

async function readFileText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const gitrepoAdd: CommandSpec = {
  words: ['gitrepo', 'add'],
  args: 'URL [--username U --password-stdin] [--ssh-key-file FILE [--known-hosts-file FILE | --insecure-ignore-host-key]]',
  summary: 'Register a Git repository with the credentials Berth uses to read it',
  details: 'Public repositories need no registration. HTTPS: user name and password or access token (read from stdin). SSH: a private key file and known_hosts lines for the host.',
  options: {
    username: { type: 'string', value: 'USER', help: 'HTTPS user name' },
    'password-stdin': { type: 'boolean', help: 'read the HTTPS password or token from stdin' },
    'ssh-key-file': { type: 'string', value: 'FILE', help: 'SSH private key (PEM or OpenSSH)' },
    'known-hosts-file': { type: 'string', value: 'FILE', help: 'known_hosts lines for the SSH host' },
    'insecure-ignore-host-key': { type: 'boolean', help: "do not verify the SSH host key (testing only)" },
  },
  positionals: [1, 1],
  examples: [
    'berth gitrepo add https://git.example.com/team/apps.git --username bot --password-stdin < token',
    'berth gitrepo add git@git.example.com:team/apps.git --ssh-key-file deploy_key --known-hosts-file known_hosts',
  ],
  async run(ctx) {
    const url = ctx.positionals[0]!;
    const username = str(ctx.values, 'username');
    const withPassword = bool(ctx.values, 'password-stdin') === true;
    if (withPassword && username === undefined) throw new UsageError('--password-stdin needs --username', ctx.spec);
    const keyFile = str(ctx.values, 'ssh-key-file');
    const hostsFile = str(ctx.values, 'known-hosts-file');
    const body = {
      url,
      ...(username !== undefined ? { username } : {}),
      ...(withPassword ? { password: await passwordFromStdin() } : {}),
      ...(keyFile !== undefined ? { sshPrivateKey: await readFileText(keyFile, 'SSH key') } : {}),
      ...(hostsFile !== undefined ? { knownHosts: await readFileText(hostsFile, 'known_hosts file') } : {}),
      ...(bool(ctx.values, 'insecure-ignore-host-key') ? { insecureIgnoreHostKey: true } : {}),
    };
    const res = await ctx.client().post<RepositoryInfo>('/git-repositories', body);
    if (ctx.out.json) return ctx.out.printJson(res.data);
    ctx.out.line(`Added Git repository ${res.data.url}.`);
  },
};

const gitrepoList: CommandSpec = {
  words: ['gitrepo', 'list'],
  args: '',
  summary: 'List registered Git repositories (credentials are never shown)',
  positionals: [0, 0],
  examples: ['berth gitrepo list'],
  async run(ctx) {
    showList(ctx, await ctx.client().get<RepositoryInfo[]>('/git-repositories'), COLUMNS, 'repositories');
  },
};

const gitrepoRemove: CommandSpec = {
  words: ['gitrepo', 'remove'],
  args: 'URL',
  summary: 'Remove a registered repository and its credentials',
  positionals: [1, 1],
  examples: ['berth gitrepo remove https://git.example.com/team/apps.git'],
  async run(ctx) {
    const url = ctx.positionals[0]!;
    await ctx.client().delete('/git-repositories', { url });
    if (!ctx.out.json) ctx.out.line(`Removed Git repository ${url}.`);
  },
};

export const gitrepoCommands: CommandSpec[] = [gitrepoAdd, gitrepoList, gitrepoRemove];
